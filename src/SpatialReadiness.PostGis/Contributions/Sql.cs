using NetTopologySuite.Geometries;
using Npgsql;
using NpgsqlTypes;

namespace SpatialReadiness.PostGis.Contributions;

/// <summary>Named, bound parameters for the contribution SQL: JSON as jsonb, a missing geometry as a typed NULL, other NULLs left for PostgreSQL to type.</summary>
internal static class Sql
{
    public sealed record JsonbText(string Json);

    public sealed record MaybeGeometry(Geometry? Value);

    public static object Nullable(object? value) => value ?? DBNull.Value;

    public static JsonbText Jsonb(string json) => new(json);

    public static MaybeGeometry Geometry(Geometry? geometry) => new(geometry);

    public static string? String(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, IEnumerable<(string Name, object Value)> parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.Add(value switch
            {
                DBNull => new NpgsqlParameter(name, NpgsqlDbType.Unknown) { Value = DBNull.Value },
                JsonbText json => new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = json.Json },
                MaybeGeometry { Value: null } => new NpgsqlParameter(name, NpgsqlDbType.Geometry) { Value = DBNull.Value },
                MaybeGeometry geometry => new NpgsqlParameter(name, geometry.Value),
                string[] texts => new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = texts },
                _ => new NpgsqlParameter(name, value),
            });
        return command;
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteScalarAsync(cancellationToken) is { } value and not DBNull ? (T)value : default;
    }
}
