using Npgsql;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Readiness;

namespace SpatialReadiness.PostGis.Readiness;

/// <summary>Declared planning uses of a city's layers (B4 of the score).</summary>
public sealed class PlanningUses(NpgsqlDataSource dataSource)
{
    public async Task<PlanningUse> DeclareAsync(string city, string title, string documentUrl, IReadOnlyList<string> layers, string declaredBy, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(title)) throw new InputException(InputError.Unprocessable, "a planning use needs a title (the plan, DPR or dashboard).");
        if (!Uri.TryCreate(documentUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new InputException(InputError.Unprocessable, $"documentUrl '{documentUrl}' is not an http(s) address of the document.");
        if (layers.Any(l => l is null)) throw new InputException(InputError.Malformed, "a planning use's layers are names; one is null.");
        if (layers.Count == 0) throw new InputException(InputError.Unprocessable, "a planning use must cite at least one layer of the city by name.");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var known = (await Layers.LayerStore.ReadLayersAsync(connection, city, cancellationToken)).Select(l => l.Name).ToHashSet();
        if (layers.FirstOrDefault(l => !known.Contains(l)) is { } unknown)
            throw new InputException(InputError.Unprocessable, $"layer '{unknown}' is not a layer of city '{city}' (its layers: {string.Join(", ", known.Order())}).");
        await using var command = new NpgsqlCommand("""
            INSERT INTO planning_uses (city_id, title, document_url, layers, declared_by) VALUES ($1, $2, $3, $4, $5)
            RETURNING id, city_id, title, document_url, layers, declared_by, declared_at
            """, connection);
        foreach (var value in new object[] { city, title.Trim(), documentUrl, layers.ToArray(), declaredBy }) command.Parameters.Add(new() { Value = value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return Read(reader);
    }

    public async Task<IReadOnlyList<PlanningUse>> ListAsync(string city, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ListAsync(connection, city, cancellationToken);
    }

    internal static async Task<IReadOnlyList<PlanningUse>> ListAsync(NpgsqlConnection connection, string city, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT id, city_id, title, document_url, layers, declared_by, declared_at FROM planning_uses WHERE city_id = $1 ORDER BY id", connection);
        command.Parameters.Add(new() { Value = city });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var uses = new List<PlanningUse>();
        while (await reader.ReadAsync(cancellationToken)) uses.Add(Read(reader));
        return uses;
    }

    private static PlanningUse Read(NpgsqlDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<string[]>(4), r.GetString(5), r.GetFieldValue<DateTimeOffset>(6));
}
