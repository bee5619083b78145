-- DMAF 4.c: how often each layer is to be updated (set at import or by its moderators). NULL: no schedule declared.
-- The next due date is computed from the last content version (an import or accepted edit; access changes do not count).
ALTER TABLE layers ADD COLUMN update_frequency text
    CHECK (update_frequency IN ('daily', 'weekly', 'monthly', 'quarterly', 'biannual', 'annual', 'irregular'));
