using Npgsql;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.PostGis.Tiles;

/// <summary>
/// What tiles need to know about one layer, with its tile SQL built once: only z, x and y (and field names) are bound
/// per request. Geometry comes ready from the store (0007_tile_geometry.sql): a feature lying wholly inside the tile's
/// buffered box is its stored ST_AsMVTGeom result for that zoom, shifted to the tile; the others (crossing the tile's
/// edge, points, zooms without stored geometry) go through ST_AsMVTGeom here, from the stored EPSG:3857 copy.
/// </summary>
public sealed class TileLayer
{
    public const int Extent = 4096;
    public const int Buffer = 64;

    /// <summary>Below this zoom polygons and lines are simplified to the tile's unit size and points thinned to one per 4 units.</summary>
    public const int GeneraliseBelowZoom = 12;

    /// <summary>From this zoom a tile carries every public field; below it, only the fields its style draws with (<see cref="LowZoomFields"/>).</summary>
    public const int AllFieldsFromZoom = 12;

    /// <summary>The zooms whose tile geometry every feature keeps (tile_z6 ... tile_z14).</summary>
    public const int StoredGeometryFromZoom = 6, StoredGeometryToZoom = 14;

    private TileLayer(LayerInfo info, IReadOnlyList<LowZoomField> lowZoomFields)
    {
        Info = info;
        LowZoomFields = lowZoomFields.Where(f => info.PublicFields.Contains(f.Field)).ToList();
        var stored = "CASE $1 " + string.Concat(Enumerable.Range(StoredGeometryFromZoom, StoredGeometryToZoom - StoredGeometryFromZoom + 1)
            .Select(z => $"WHEN {z} THEN f.tile_z{z} ")) + "END";
        var thinning = info.Kind == "asset"
            ? $"AND ($1 >= {GeneraliseBelowZoom} OR f.id IN (SELECT DISTINCT ON (ST_SnapToGrid(p.geom_3857, tile_unit($1) * 4)) p.id FROM features p WHERE p.layer_id = {info.Id} AND p.geom_3857 && ST_TileEnvelope($1, $2, $3, margin => {Buffer}.0 / {Extent}) ORDER BY ST_SnapToGrid(p.geom_3857, tile_unit($1) * 4), p.id))"
            : "";
        // Identifiers: the layer id is a number; the MVT layer name and field names are bound as parameters, never spliced.
        Sql = $"""
            WITH b AS MATERIALIZED (
                SELECT ST_TileEnvelope($1, $2, $3) AS tile, ST_TileEnvelope($1, $2, $3, margin => {Buffer}.0 / {Extent}) AS clip,
                       -{Extent}::float8 * $2 AS dx, -{Extent}::float8 * $3 AS dy
            )
            SELECT ST_AsMVT(t.*, $4, {Extent}, 'geom', 'fid')
            FROM (
                SELECT f.id AS fid,
                       CASE WHEN {stored} IS NOT NULL AND f.geom_3857 @ b.clip THEN ST_Translate({stored}, b.dx, b.dy)
                            ELSE ST_AsMVTGeom(tile_generalised(f.geom_3857, $1), b.tile, {Extent}, {Buffer}, true) END AS geom,
                       {AttributesSql()} AS attributes
                FROM b, features f
                WHERE f.layer_id = {info.Id} AND f.geom_3857 && b.clip {thinning}
            ) t
            """;
        // No "WHERE geom IS NOT NULL": ST_AsMVT skips features clipped away, and the planner would push the filter down
        // and run ST_AsMVTGeom twice per row (measured: a z12 tile 3x slower).
    }

    public LayerInfo Info { get; }
    public string Sql { get; }

    /// <summary>The fields tiles below <see cref="AllFieldsFromZoom"/> carry, each from the zoom its style first draws with it.</summary>
    public IReadOnlyList<LowZoomField> LowZoomFields { get; }

    public static TileLayer For(LayerInfo info, IReadOnlyList<LowZoomField> lowZoomFields) => new(info, lowZoomFields);

    /// <summary>
    /// All public fields from <see cref="AllFieldsFromZoom"/>; below, per band of zooms, only the fields drawn there
    /// (a city-wide tile with every field of 5,000 slums costs a third more to make, and nobody reads them at that scale:
    /// the viewer's popup reads a clicked feature from OGC API - Features). Parameters from $6 on are the field names.
    /// </summary>
    private string AttributesSql()
    {
        var all = Info.WithheldFields.Count == 0 ? "f.attributes" : "f.attributes - $5::text[]";
        var fieldParameter = LowZoomFields.Select(f => f.Field).Distinct().Select((field, i) => (field, i)).ToDictionary(p => p.field, p => $"${6 + p.i}::text");
        var bands = LowZoomFields.Select(f => f.FromZoom).Where(z => z < AllFieldsFromZoom).Distinct().OrderDescending().Select(from =>
        {
            var fields = LowZoomFields.Where(f => f.FromZoom <= from).Select(f => fieldParameter[f.Field]).Distinct();
            return $"WHEN $1 >= {from} THEN jsonb_build_object({string.Join(", ", fields.Select(p => $"{p}, f.attributes -> {p}"))}) ";
        });
        return $"CASE WHEN $1 >= {AllFieldsFromZoom} THEN {all} {string.Concat(bands)}END";
    }

    internal NpgsqlBatchCommand Command(Core.Tiles.TileAddress tile)
    {
        var command = new NpgsqlBatchCommand(Sql)
        {
            Parameters =
            {
                new() { Value = tile.Z }, new() { Value = tile.X }, new() { Value = tile.Y }, new() { Value = Info.Name },
                // Withheld fields never reach a tile: they are removed from the attributes in the tile SQL itself.
                new() { Value = Info.WithheldFields.ToArray() },
            },
        };
        foreach (var field in LowZoomFields.Select(f => f.Field).Distinct()) command.Parameters.Add(new() { Value = field });
        return command;
    }
}

/// <summary>A field a layer's style reads, and the lowest tile zoom it is drawn from.</summary>
public sealed record LowZoomField(string Field, int FromZoom);
