-- The one ward-key normaliser: ward numbers and letters compared as people write them, wherever a ward key is
-- compared (WARD_MISMATCH, ward offices, ID_NOT_UNIQUE of wards, joins). The table of real spellings it is tested on
-- is tests/SpatialReadiness.Server.Tests/Readiness/WardKeyTests.cs:
--   "Ward-81", "Ward No. 81", "W-81", "081", "81 ", "81.0", "८१" (any Indic digits), "प्रभाग क्र. ८१"  -> "81"
--   "F/N", "F-North", "F North", "f/north", "FN"                                                        -> "fn"
-- Steps: trim, lower case, Indic digits to ASCII, spaces collapsed; a leading "ward", "ward no.", "prabhag",
-- "प्रभाग", "वार्ड" and, before a number, "w" / "no." dropped with their separators; "81.0" (a DBF double) is 81; leading
-- zeros dropped; a letter ward with a direction ("F/N", "F-North") is the letter and the direction's initial.
CREATE FUNCTION sr_ward_key(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
WITH t0 AS (
    SELECT btrim(regexp_replace(lower(translate(value,
               chr(160) || '०१२३४५६७८९০১২৩৪৫৬৭৮৯੦੧੨੩੪੫੬੭੮੯૦૧૨૩૪૫૬૭૮૯୦୧୨୩୪୫୬୭୮୯௦௧௨௩௪௫௬௭௮௯౦౧౨౩౪౫౬౭౮౯೦೧೨೩೪೫೬೭೮೯൦൧൨൩൪൫൬൭൮൯',
               ' 012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789')),
           '\s+', ' ', 'g')) AS k
),
t1 AS (SELECT regexp_replace(regexp_replace(k,
           '^(ward|prabhag|प्रभाग|वार्ड|वॉर्ड)[\s.:#/_-]*((no\.?|number|num|nr\.?|क्र\.?|क्रमांक|#)[\s.:#/_-]*)?([0-9])', '\4'),
           '^(ward|prabhag|प्रभाग|वार्ड|वॉर्ड)[\s.:#/_-]+([a-z])', '\2') AS k FROM t0),
t2 AS (SELECT regexp_replace(k, '^(w|no\.?|number|#|क्र\.?|क्रमांक)[\s.:#/_-]*([0-9])', '\2') AS k FROM t1),
t3 AS (SELECT regexp_replace(regexp_replace(k, '^([0-9]+)\.0+$', '\1'), '^0+([0-9])', '\1') AS k FROM t2),
t4 AS (SELECT regexp_replace(k, '^([0-9]+)[ /_-]+([a-z])$', '\1\2') AS k FROM t3)
SELECT regexp_replace(k, '^([a-z]) ?[/_-]? ?([nsewc])(orth|outh|ast|est|entral)?$', '\1\2') FROM t4
$$;
