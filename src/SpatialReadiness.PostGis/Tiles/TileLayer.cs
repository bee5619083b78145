using Npgsql;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.PostGis.Tiles;

/// <summary>
/// What tiles need to know about one layer, with its tile SQL built once: only z, x, y and the simplification
/// tolerance are bound per request. Geometry comes from the stored EPSG:3857 copy, so no request transforms it.
/// </summary>
public sealed class TileLayer
{
    public const int Extent = 4096;
    public const int Buffer = 64;

    /// <summary>Below this zoom polygons and lines are simplified to the tile's unit size and points thinned to one per 4 units.</summary>
    public const int GeneraliseBelowZoom = 12;

    private TileLayer(LayerInfo info)
    {
        Info = info;
        // Identifiers: the layer id is a number; the MVT layer name is bound as a parameter, never spliced.
        var geometry = info.Kind == "asset"
            ? "f.geom_3857"
            : $"CASE WHEN $1 < {GeneraliseBelowZoom} THEN ST_Simplify(f.geom_3857, $4, true) ELSE f.geom_3857 END";
        var thinning = info.Kind == "asset"
            ? $"AND ($1 >= {GeneraliseBelowZoom} OR f.id IN (SELECT DISTINCT ON (ST_SnapToGrid(p.geom_3857, $4 * 4)) p.id FROM features p WHERE p.layer_id = {info.Id} AND p.geom_3857 && ST_TileEnvelope($1, $2, $3, margin => {Buffer}.0 / {Extent}) ORDER BY ST_SnapToGrid(p.geom_3857, $4 * 4), p.id))"
            : "";
        Sql = $"""
            SELECT ST_AsMVT(t.*, $5, {Extent}, 'geom', 'fid')
            FROM (
                SELECT f.id AS fid,
                       ST_AsMVTGeom({geometry}, ST_TileEnvelope($1, $2, $3), {Extent}, {Buffer}, true) AS geom,
                       {(info.WithheldFields.Count == 0 ? "f.attributes" : "f.attributes - $6::text[]")} AS attributes
                FROM features f
                WHERE f.layer_id = {info.Id} AND f.geom_3857 && ST_TileEnvelope($1, $2, $3, margin => {Buffer}.0 / {Extent}) {thinning}
            ) t
            """;
        // No "WHERE geom IS NOT NULL": ST_AsMVT skips features clipped away, and the planner would push the filter down
        // and run ST_AsMVTGeom twice per row (measured: a z12 tile 3x slower).
    }

    public LayerInfo Info { get; }
    public string Sql { get; }

    public static TileLayer For(LayerInfo info) => new(info);

    internal NpgsqlBatchCommand Command(Core.Tiles.TileAddress tile)
    {
        var command = new NpgsqlBatchCommand(Sql)
        {
            Parameters =
            {
                new() { Value = tile.Z }, new() { Value = tile.X }, new() { Value = tile.Y },
                new() { Value = tile.UnitMetres }, new() { Value = Info.Name },
            },
        };
        // Withheld fields never reach a tile: they are removed from the attributes in the tile SQL itself.
        if (Info.WithheldFields.Count > 0) command.Parameters.Add(new() { Value = Info.WithheldFields.ToArray() });
        return command;
    }
}
