using Npgsql;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Tiles;

namespace SpatialReadiness.PostGis.Tiles;

/// <summary>
/// What tiles need to know about one layer, with its tile SQL built once, one text per zoom (each names its zoom's
/// stored geometry column and fields): only z, x and y (and field names) are bound per request. Geometry comes ready
/// from the store (0007_tile_geometry.sql): a feature lying wholly inside the tile is its stored ST_AsMVTGeom result for
/// that tile; the others (crossing the tile's edge, points, zooms without stored geometry) go through ST_AsMVTGeom here,
/// from the stored EPSG:3857 copy.
/// </summary>
public sealed class TileLayer
{
    public const int Extent = 4096;
    public const int Buffer = 64;

    /// <summary>Below this zoom points are thinned to one per 4 units (and polygons and lines simplified to the tile's unit: tile_generalised in 0007_tile_geometry.sql).</summary>
    public const int GeneraliseBelowZoom = 12;

    /// <summary>From this zoom a tile carries every public field; below it, only the fields its style draws with (<see cref="LowZoomFields"/>).</summary>
    public const int AllFieldsFromZoom = 12;

    /// <summary>
    /// A dense layer's tiles carry every public field only from this zoom: a z14 tile of a city's buildings holds
    /// 20,000 of them, and PostGIS encoding their fields from jsonb took two thirds of the tile's time (measured: 161 ms
    /// with them, 61 ms without), for values nobody reads at that scale (the popup reads a feature from OGC API).
    /// </summary>
    public const int DenseAllFieldsFromZoom = 15;

    /// <summary>The zoom from which this layer's tiles carry every public field (<see cref="AllFieldsFromZoom"/>, or <see cref="DenseAllFieldsFromZoom"/> for dense layers).</summary>
    public int AllFieldsFrom => Dense ? DenseAllFieldsFromZoom : AllFieldsFromZoom;

    /// <summary>The zooms whose tile geometry every feature keeps (tile_z6 ... tile_z14).</summary>
    public const int StoredGeometryFromZoom = 6, StoredGeometryToZoom = 14;

    /// <summary>The MVT layer of a layer's label points is named after it with this suffix ("wards_labels").</summary>
    public const string LabelsSuffix = "_labels";

    /// <summary>
    /// A layer (other than points thinned by kind) with at least this many features is dense: up to
    /// <see cref="DensityToZoom"/> its tiles draw density cells (0014d_tile_density.sql) in the MVT layer
    /// "{layer}_density" instead of footprints smaller than a pixel (docs/api/tiles.md).
    /// </summary>
    public const long DenseFromFeatures = 100_000;

    /// <summary>The highest zoom a dense layer's tiles draw as density cells; footprints from the next.</summary>
    public const int DensityToZoom = 12;

    /// <summary>The MVT layer of a dense layer's density cells is named after it with this suffix ("buildings_density").</summary>
    public const string DensitySuffix = "_density";

    private readonly string[] _sql;
    private readonly List<string> _fieldNames;
    private readonly string? _labelSql;

    private TileLayer(LayerInfo info, IReadOnlyList<LowZoomField> lowZoomFields, IReadOnlyList<string>? labelFields, IReadOnlyDictionary<string, FieldType>? fieldTypes)
    {
        Info = info;
        // Withheld fields never reach a tile: the public view's fields leave them out, and all-field tiles remove them.
        LowZoomFields = lowZoomFields.Where(f => info.PublicFields.Contains(f.Field)).ToList();
        _fieldNames = LowZoomFields.Select(f => f.Field).Distinct().ToList();
        _sql = Enumerable.Range(0, TileAddress.MaxZoom + 1).Select(Build).ToArray();
        LabelFields = labelFields?.Where(info.PublicFields.Contains).Distinct().ToList();
        if (LabelFields is not null) _labelSql = BuildLabels();
        FieldTypes = fieldTypes ?? new Dictionary<string, FieldType>();
    }

    public LayerInfo Info { get; }

    /// <summary>
    /// The fields the "{name}_labels" MVT layer carries at every zoom, or null when the layer's style draws no labels
    /// (and its tiles carry no label points).
    /// </summary>
    public IReadOnlyList<string>? LabelFields { get; }

    public string LabelLayerName => Info.Name + LabelsSuffix;

    public string DensityLayerName => Info.Name + DensitySuffix;

    /// <summary>Whether this layer's tiles up to <see cref="DensityToZoom"/> draw density cells.</summary>
    public bool Dense => Info.Kind != "asset" && Info.FeatureCount >= DenseFromFeatures;

    /// <summary>Whether a tile at zoom <paramref name="z"/> draws density cells (whose rows must exist first: TileStore).</summary>
    public bool DrawsDensity(int z) => Dense && z <= DensityToZoom;

    /// <summary>The type of each public field (PostGis/Layers/LayerFieldTypes), for TileJSON.</summary>
    public IReadOnlyDictionary<string, FieldType> FieldTypes { get; }

    /// <summary>The fields tiles below <see cref="AllFieldsFromZoom"/> carry, each from the zoom its style first draws with it.</summary>
    public IReadOnlyList<LowZoomField> LowZoomFields { get; }

    public static TileLayer For(LayerInfo info, IReadOnlyList<LowZoomField> lowZoomFields, IReadOnlyList<string>? labelFields = null, IReadOnlyDictionary<string, FieldType>? fieldTypes = null) =>
        new(info, lowZoomFields, labelFields, fieldTypes);

    /// <summary>The tile SQL for zoom <paramref name="z"/>: $1-$3 are z, x and y, $4 the MVT layer name, $5 the withheld fields, $6 on the low-zoom field names.</summary>
    public string Sql(int z) => _sql[z];

    private string Build(int z)
    {
        if (DrawsDensity(z)) return BuildDensity();
        var geometry = z is >= StoredGeometryFromZoom and <= StoredGeometryToZoom
            ? $"CASE WHEN f.tile_z{z} IS NOT NULL AND f.geom_3857 @ b.inside THEN f.tile_z{z} ELSE {Made()} END"
            : Made();
        var thinning = Info.Kind == "asset" && z < GeneraliseBelowZoom
            ? $"AND f.id IN (SELECT DISTINCT ON (ST_SnapToGrid(p.geom_3857, tile_unit($1) * 4)) p.id FROM features p WHERE p.layer_id = {Info.Id} AND p.geom_3857 && ST_TileEnvelope($1, $2, $3, margin => {Buffer}.0 / {Extent}) ORDER BY ST_SnapToGrid(p.geom_3857, tile_unit($1) * 4), p.id)"
            : "";
        // Identifiers: the layer id is a number; the MVT layer name and field names are bound as parameters, never spliced.
        // The envelopes are made once (a MATERIALIZED CTE), not once per feature as a generic plan would. "inside" is the
        // tile less 4 m: @ compares single-precision boxes rounded outward (up to 2 m here), and a feature passing it
        // must lie in this tile, not just across its edge, whose stored geometry would be its own tile's.
        // No "WHERE geom IS NOT NULL": ST_AsMVT skips features clipped away, and the planner would push the filter down
        // and run ST_AsMVTGeom twice per row (measured: a z12 tile 3x slower).
        return $"""
            WITH b AS MATERIALIZED (
                SELECT ST_TileEnvelope($1, $2, $3) AS tile, ST_TileEnvelope($1, $2, $3, margin => {Buffer}.0 / {Extent}) AS clip,
                       ST_Expand(ST_TileEnvelope($1, $2, $3), -4) AS inside
            )
            SELECT ST_AsMVT(t.*, $4, {Extent}, 'geom', 'fid'), {AtVersion}
            FROM (
                SELECT f.id AS fid, {geometry} AS geom, {Attributes(z)} AS attributes
                FROM b, features f
                WHERE f.layer_id = {Info.Id} AND f.geom_3857 && b.clip {thinning}
            ) t
            """;
    }

    /// <summary>
    /// The label points (label_3857, 0011b_label_points.sql) lying in the tile: x in [west, east), y in (south, north],
    /// so a point on a shared edge belongs to exactly one tile. Points are cheap for ST_AsMVTGeom (no wagyu). The
    /// polygon's own box is what the index finds: it holds its label point. $1-$3 z, x, y; $4 the MVT layer name;
    /// $5... the label fields.
    /// </summary>
    private string BuildLabels()
    {
        var attributes = LabelFields!.Count == 0 ? "NULL::jsonb"
            : $"jsonb_build_object({string.Join(", ", LabelFields.Select((_, i) => $"${5 + i}::text, f.attributes -> ${5 + i}::text"))})";
        return $"""
            WITH b AS MATERIALIZED (SELECT ST_TileEnvelope($1, $2, $3) AS tile)
            SELECT ST_AsMVT(t.*, $4, {Extent}, 'geom', 'fid'), {AtVersion}
            FROM (
                SELECT f.id AS fid, ST_AsMVTGeom(f.label_3857, b.tile, {Extent}, 0, false) AS geom, {attributes} AS attributes
                FROM b, features f
                WHERE f.layer_id = {Info.Id} AND f.geom_3857 && b.tile AND f.label_3857 IS NOT NULL
                  AND ST_X(f.label_3857) >= ST_XMin(b.tile) AND ST_X(f.label_3857) < ST_XMax(b.tile)
                  AND ST_Y(f.label_3857) > ST_YMin(b.tile) AND ST_Y(f.label_3857) <= ST_YMax(b.tile)
            ) t
            """;
    }

    /// <summary>
    /// The density cells in the tile, added up to 64 a side: the stored cells (64 a side of a z12 tile, numbered from
    /// the world's north-west corner) are shifted right by 12 - z to give this zoom's cells. Only the cells of the
    /// layer's current version count. The squares are ST_AsMVTGeom'd unclipped (a cell never crosses its tile's edge).
    /// $1-$3 z, x, y; $4 the MVT layer name; the field parameters are bound but unused.
    /// </summary>
    private string BuildDensity() => $"""
        WITH b AS MATERIALIZED (
            SELECT ST_TileEnvelope($1, $2, $3) AS tile, 12 - $1 AS shift, 40075016.68557849 / (64 * power(2::double precision, $1)) AS size
        )
        SELECT ST_AsMVT(t.*, $4, {Extent}, 'geom'), {AtVersion}
        FROM (
            SELECT ST_AsMVTGeom(ST_MakeEnvelope(-20037508.342789244 + c.cx * b.size, 20037508.342789244 - (c.cy + 1) * b.size,
                                                -20037508.342789244 + (c.cx + 1) * b.size, 20037508.342789244 - c.cy * b.size, 3857),
                                b.tile, {Extent}, 0, false) AS geom,
                   c.features
            FROM b, (
                SELECT d.cell_x >> b.shift AS cx, d.cell_y >> b.shift AS cy, sum(d.features)::integer AS features
                FROM b, tile_density d JOIN layers l ON l.id = d.layer_id AND l.version = d.version
                WHERE d.layer_id = {Info.Id}
                  AND d.cell_x >= $2 << (18 - $1) AND d.cell_x < ($2 + 1) << (18 - $1)
                  AND d.cell_y >= $3 << (18 - $1) AND d.cell_y < ($3 + 1) << (18 - $1)
                GROUP BY 1, 2
            ) c
        ) t
        """;

    /// <summary>
    /// The second column of every tile statement: the layer's version in the snapshot the statement read its features
    /// in, so TileStore can tell whether the bytes are the version its tag names, without another round trip.
    /// </summary>
    private string AtVersion => $"(SELECT l.version FROM layers l WHERE l.id = {Info.Id}) AS at_version";

    private static string Made() => $"ST_AsMVTGeom(tile_generalised(f.geom_3857, $1), b.tile, {Extent}, {Buffer}, true)";

    /// <summary>
    /// All public fields from <see cref="AllFieldsFrom"/>; below, only the fields drawn at that zoom (a city-wide tile
    /// with every field of 5,000 slums costs a third more to make, and nobody reads them at that scale: the viewer's
    /// popup reads a clicked feature from OGC API - Features).
    /// </summary>
    private string Attributes(int z)
    {
        if (z >= AllFieldsFrom) return Info.WithheldFields.Count == 0 ? "f.attributes" : "f.attributes - $5::text[]";
        var drawn = LowZoomFields.Where(f => f.FromZoom <= z).Select(f => FieldParameter(f.Field)).Distinct().ToList();
        return drawn.Count == 0 ? "NULL::jsonb" : $"jsonb_build_object({string.Join(", ", drawn.Select(p => $"{p}, f.attributes -> {p}"))})";
    }

    private string FieldParameter(string field) => $"${6 + _fieldNames.IndexOf(field)}::text";

    internal NpgsqlBatchCommand Command(TileAddress tile)
    {
        var command = new NpgsqlBatchCommand(Sql(tile.Z))
        {
            Parameters =
            {
                new() { Value = tile.Z }, new() { Value = tile.X }, new() { Value = tile.Y }, new() { Value = DrawsDensity(tile.Z) ? DensityLayerName : Info.Name },
                new() { Value = Info.WithheldFields.ToArray() },
            },
        };
        foreach (var field in _fieldNames) command.Parameters.Add(new() { Value = field });
        return command;
    }

    /// <summary>The command for this layer's label points in <paramref name="tile"/>, or null when it has none.</summary>
    internal NpgsqlBatchCommand? LabelCommand(TileAddress tile)
    {
        if (_labelSql is null || DrawsDensity(tile.Z)) return null;
        var command = new NpgsqlBatchCommand(_labelSql)
        {
            Parameters = { new() { Value = tile.Z }, new() { Value = tile.X }, new() { Value = tile.Y }, new() { Value = LabelLayerName } },
        };
        foreach (var field in LabelFields!) command.Parameters.Add(new() { Value = field });
        return command;
    }
}

/// <summary>A field a layer's style reads, and the lowest tile zoom it is drawn from.</summary>
public sealed record LowZoomField(string Field, int FromZoom);
