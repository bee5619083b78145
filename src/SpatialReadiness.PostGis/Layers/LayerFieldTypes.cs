using System.Collections.Concurrent;
using Npgsql;
using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.PostGis.Layers;

/// <summary>
/// The one place a layer's field types come from (OData entity types, OGC API queryables, TileJSON fields): the JSON
/// type every stored non-null value of the field shares, in a sample of the layer's first features. Integer when
/// every number is whole, Number when some are not; a field whose values mix types (numbers and "n/a") is Text, and
/// so is a field with no value in the sample. Remembered per layer version, so a re-import or an edit is seen at once.
/// </summary>
public sealed class LayerFieldTypes(ReplicaReads reads)
{
    /// <summary>Features read per layer to infer the types.</summary>
    public const int Sample = 10_000;

    private readonly ConcurrentDictionary<(long Layer, int Version), IReadOnlyDictionary<string, FieldType>> _known = new();

    /// <summary>Forgets every layer's types (after a restore or a failover a version number may stand for other data).</summary>
    public void Clear() => _known.Clear();

    /// <summary>The type of each field <paramref name="layer"/> serves (withheld fields are left out).</summary>
    public async Task<IReadOnlyDictionary<string, FieldType>> ForAsync(LayerInfo layer, CancellationToken cancellationToken = default)
    {
        if (!_known.TryGetValue((layer.Id, layer.Version), out var all))
        {
            all = await InferAsync(layer, cancellationToken);
            foreach (var older in _known.Keys.Where(k => k.Layer == layer.Id && k.Version < layer.Version)) _known.TryRemove(older, out _);
            _known[(layer.Id, layer.Version)] = all;
        }
        return layer.PublicFields.ToDictionary(f => f, f => all.GetValueOrDefault(f, FieldType.Text), StringComparer.Ordinal);
    }

    private async Task<IReadOnlyDictionary<string, FieldType>> InferAsync(LayerInfo layer, CancellationToken cancellationToken)
    {
        // On the replica when it has the layer at this version (a version's features never change), else the primary.
        await using var connection = await reads.OpenAsync([(layer.Id, layer.Version)], cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT e.key, min(jsonb_typeof(e.value)), max(jsonb_typeof(e.value)),
                   bool_and(jsonb_typeof(e.value) <> 'number' OR e.value::text ~ '^-?\d+$')
            FROM (SELECT attributes FROM features WHERE layer_id = $1 ORDER BY id LIMIT $2) f, jsonb_each(f.attributes) e
            WHERE jsonb_typeof(e.value) <> 'null'
            GROUP BY e.key
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = layer.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = Sample });
        var types = new Dictionary<string, FieldType>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (least, most) = (reader.GetString(1), reader.GetString(2));
            types[reader.GetString(0)] = least != most ? FieldType.Text : least switch
            {
                "number" => reader.GetBoolean(3) ? FieldType.Integer : FieldType.Number,
                "boolean" => FieldType.Boolean,
                _ => FieldType.Text,
            };
        }
        return types;
    }
}
