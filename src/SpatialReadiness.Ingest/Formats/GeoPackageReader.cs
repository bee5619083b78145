using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Ingest.Crs;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>
/// One feature table of a GeoPackage (SQLite, opened read-only): geometry from the GeoPackage blob, CRS from
/// gpkg_spatial_ref_sys, every other column as a typed attribute, the primary key as the feature's source id.
/// </summary>
internal sealed class GeoPackageReader : ILayerFileReader
{
    private readonly SqliteConnection _connection;
    private readonly string _table = "";
    private readonly string _geometryColumn = "";
    private readonly List<string> _fields = [];

    public GeoPackageReader(string path, ReaderOptions options)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        try
        {
            _connection.Open();
            var tables = FeatureTables();
            if (tables.Count == 0)
                throw new InputException(InputError.Malformed, "the GeoPackage has no feature table (gpkg_contents lists none with data_type 'features').");
            var chosen = options.Sublayer is { } wanted
                ? tables.Cast<(string Table, string GeometryColumn, long SrsId)?>().FirstOrDefault(t => t!.Value.Table.Equals(wanted, StringComparison.OrdinalIgnoreCase))
                    ?? throw new InputException(InputError.Malformed, $"the GeoPackage has no feature table '{wanted}'; it has: {string.Join(", ", tables.Select(t => t.Table))}.")
                : tables.Count == 1 ? tables[0]
                : throw new InputException(InputError.Malformed,
                    $"the GeoPackage holds {tables.Count} feature tables ({string.Join(", ", tables.Select(t => t.Table))}); choose one with --sublayer NAME (HTTP: sublayer=NAME).");
            (_table, _geometryColumn) = (chosen.Table, chosen.GeometryColumn);
            DeclaredCrs = Crs(chosen.SrsId);
        }
        catch (SqliteException e)
        {
            _connection.Dispose();
            throw new InputException(InputError.Malformed, $"not a readable GeoPackage: {e.Message}");
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    public string Format => "GeoPackage";
    public CrsDefinition? DeclaredCrs { get; }
    public IReadOnlyList<string> Fields => _fields;

    public IEnumerable<RawFeature> Read(CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {Quote(_table)}";
        using var reader = command.ExecuteReader();
        var geometryIndex = reader.GetOrdinal(_geometryColumn);
        var keyIndex = PrimaryKeyIndex(reader);
        for (var i = 0; i < reader.FieldCount; i++)
            if (i != geometryIndex && i != keyIndex) _fields.Add(reader.GetName(i));
        var geometryReader = new GeoPackageGeoReader();
        long ordinal = 0;
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            ordinal++;
            Geometry? geometry = null;
            if (!reader.IsDBNull(geometryIndex))
            {
                try { geometry = geometryReader.Read((byte[])reader.GetValue(geometryIndex)); }
                catch (Exception e) when (e is ArgumentException or ParseException or InvalidOperationException or IndexOutOfRangeException)
                {
                    throw new InputException(InputError.Malformed, $"feature {ordinal} of table '{_table}': the geometry cannot be read: {e.Message}");
                }
            }
            var attributes = new List<KeyValuePair<string, object?>>(reader.FieldCount);
            for (var i = 0; i < reader.FieldCount; i++)
                if (i != geometryIndex && i != keyIndex) attributes.Add(new(reader.GetName(i), reader.IsDBNull(i) ? null : reader.GetValue(i)));
            var id = keyIndex >= 0 && !reader.IsDBNull(keyIndex) ? Convert.ToString(reader.GetValue(keyIndex), System.Globalization.CultureInfo.InvariantCulture) : null;
            yield return new RawFeature(ordinal, id, AttributeJson.Write(attributes), geometry);
        }
    }

    private List<(string Table, string GeometryColumn, long SrsId)> FeatureTables()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            SELECT c.table_name, g.column_name, g.srs_id
            FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
            WHERE c.data_type = 'features' ORDER BY c.table_name
            """;
        using var reader = command.ExecuteReader();
        var tables = new List<(string, string, long)>();
        while (reader.Read()) tables.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        return tables;
    }

    private CrsDefinition? Crs(long srsId)
    {
        if (srsId <= 0) return null;
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = $id";
        command.Parameters.AddWithValue("$id", srsId);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        var organization = reader.IsDBNull(0) ? "" : reader.GetString(0);
        if (organization.Equals("EPSG", StringComparison.OrdinalIgnoreCase) && CrsRegistry.SupportedCodes.Contains((int)reader.GetInt64(1)))
            return CrsRegistry.FromEpsg((int)reader.GetInt64(1));
        var definition = reader.IsDBNull(2) ? "" : reader.GetString(2);
        return definition.Contains('[') ? CrsRegistry.FromWkt(definition) : null;
    }

    private int PrimaryKeyIndex(SqliteDataReader reader)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT name FROM pragma_table_info({Literal(_table)}) WHERE pk = 1";
        var key = command.ExecuteScalar() as string;
        return key is null ? -1 : reader.GetOrdinal(key);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static string Literal(string text) => "'" + text.Replace("'", "''") + "'";

    public void Dispose() => _connection.Dispose();
}
