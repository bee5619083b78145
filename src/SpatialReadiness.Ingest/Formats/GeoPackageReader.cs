using System.Globalization;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using SpatialReadiness.Ingest.Crs;

namespace SpatialReadiness.Ingest.Formats;

/// <summary>
/// One feature table of a GeoPackage (SQLite, opened read-only): geometry from the GeoPackage blob (2D, rings never
/// repaired), CRS from gpkg_spatial_ref_sys, every other column as a typed attribute, the integer primary key (fid)
/// as the feature's source id. A file with several feature tables needs <see cref="ReaderOptions.Sublayer"/>.
/// </summary>
internal sealed class GeoPackageReader : ILayerFileReader
{
    private readonly SqliteConnection _connection;
    private readonly long _maxVertices;
    private readonly string _table = "";
    private readonly string _geometryColumn = "";
    private readonly string? _keyColumn;
    private readonly List<string> _fields = [];

    public GeoPackageReader(string path, ReaderOptions options)
    {
        _maxVertices = options.MaxVerticesPerFeature;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        try
        {
            _connection.Open();
            if (!HasTable("gpkg_contents") || !HasTable("gpkg_geometry_columns"))
                throw new InputException(InputError.Malformed,
                    "the file is an SQLite database but not a GeoPackage (it has no gpkg_contents and gpkg_geometry_columns tables); export it as a GeoPackage, e.g. ogr2ogr -f GPKG out.gpkg input.");
            var tables = FeatureTables();
            var names = string.Join(", ", tables.Select(t => t.Table));
            var chosen = options.Sublayer is { } wanted
                ? tables.Find(t => t.Table.Equals(wanted, StringComparison.OrdinalIgnoreCase))
                : tables.Count == 1 ? tables[0] : default;
            if (chosen.Table is null)
                throw new InputException(InputError.Malformed, tables.Count switch
                {
                    0 => "the GeoPackage has no feature table (gpkg_contents lists none with data_type 'features'); only vector layers can be imported.",
                    _ when options.Sublayer is not null => $"the GeoPackage has no feature table '{options.Sublayer}'; it has: {names}. Choose one with --sublayer NAME (HTTP: sublayer=NAME).",
                    _ => $"the GeoPackage holds {tables.Count} feature tables ({names}); choose one with --sublayer NAME (HTTP: sublayer=NAME).",
                });
            (_table, _geometryColumn) = (chosen.Table, chosen.GeometryColumn);
            DeclaredCrs = Crs(chosen.SrsId);
            foreach (var (name, isKey) in Columns())
            {
                if (isKey) _keyColumn ??= name;
                else if (!name.Equals(_geometryColumn, StringComparison.OrdinalIgnoreCase)) _fields.Add(name);
            }
        }
        catch (Exception e)
        {
            _connection.Dispose();
            if (e is SqliteException sqlite)
                throw new InputException(InputError.Malformed,
                    $"not a readable GeoPackage ({sqlite.Message}); check that the upload is a complete .gpkg file, or export it again with ogr2ogr -f GPKG.");
            throw;
        }
    }

    public string Format => "GeoPackage";
    public CrsDefinition? DeclaredCrs { get; }
    public IReadOnlyList<string> Fields => _fields;
    public bool FieldsKnownBeforeReading => true;

    public IEnumerable<RawFeature> Read(CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {Quote(_table)}";
        using var reader = Sql(command.ExecuteReader, 0);
        var geometryIndex = reader.GetOrdinal(_geometryColumn);
        var keyIndex = _keyColumn is null ? -1 : reader.GetOrdinal(_keyColumn);
        var fieldIndexes = _fields.Select(reader.GetOrdinal).ToArray();
        var geometryReader = new GeoPackageGeoReader { HandleOrdinates = Ordinates.XY, RepairRings = false };
        long ordinal = 0;
        while (Sql(reader.Read, ordinal + 1))
        {
            cancellationToken.ThrowIfCancellationRequested();
            ordinal++;
            var geometry = reader.IsDBNull(geometryIndex) ? null : ReadGeometry(geometryReader, reader.GetValue(geometryIndex), ordinal);
            var attributes = new List<KeyValuePair<string, object?>>(fieldIndexes.Length);
            for (var i = 0; i < fieldIndexes.Length; i++)
                attributes.Add(new(_fields[i], reader.IsDBNull(fieldIndexes[i]) ? null : reader.GetValue(fieldIndexes[i])));
            var id = keyIndex >= 0 && !reader.IsDBNull(keyIndex) ? Convert.ToString(reader.GetValue(keyIndex), CultureInfo.InvariantCulture) : null;
            yield return new RawFeature(ordinal, id, AttributeJson.Write(attributes), geometry);
        }
    }

    private Geometry ReadGeometry(GeoPackageGeoReader geometryReader, object value, long ordinal)
    {
        var where = $"feature {ordinal} of table '{_table}'";
        if (value is not byte[] blob)
            throw new InputException(InputError.Malformed, $"{where}: column '{_geometryColumn}' holds {value.GetType().Name}, not a GeoPackage geometry blob.");
        Geometry geometry;
        try { geometry = geometryReader.Read(blob); }
        catch (Exception e) when (e is ArgumentException or ParseException or InvalidOperationException or IndexOutOfRangeException or EndOfStreamException)
        {
            var reason = e.Message.Split('\n')[0].Replace("NetTopologySuite.IO.ParseException: ", "").Trim();
            throw new InputException(InputError.Malformed, $"{where}: the geometry cannot be read ({reason}); repair or drop it, e.g. with ogr2ogr -makevalid.");
        }
        if (geometry.NumPoints > _maxVertices)
            throw new InputException(InputError.TooLarge,
                $"{where} has {geometry.NumPoints.ToString("N0", CultureInfo.InvariantCulture)} vertices, over the limit of " +
                $"{_maxVertices.ToString("N0", CultureInfo.InvariantCulture)} per feature; simplify it (e.g. ogr2ogr -simplify) or split it.");
        return geometry;
    }

    /// <summary>Runs one step of the query, turning an SQLite failure (a damaged file) into an input error.</summary>
    private T Sql<T>(Func<T> step, long ordinal)
    {
        try { return step(); }
        catch (SqliteException e)
        {
            throw new InputException(InputError.Malformed, $"feature {ordinal} of table '{_table}' cannot be read ({e.Message}); the GeoPackage may be damaged.");
        }
    }

    private bool HasTable(string name)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = $name";
        command.Parameters.AddWithValue("$name", name);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
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

    private List<(string Name, bool IsKey)> Columns()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT name, pk FROM pragma_table_info($table) ORDER BY cid";
        command.Parameters.AddWithValue("$table", _table);
        using var reader = command.ExecuteReader();
        var columns = new List<(string, bool)>();
        while (reader.Read()) columns.Add((reader.GetString(0), reader.GetInt64(1) == 1));
        return columns;
    }

    /// <summary>srs_id 0 and -1 are the GeoPackage's "undefined" systems: no declared CRS.</summary>
    private CrsDefinition? Crs(long srsId)
    {
        if (srsId is 0 or -1) return null;
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = $id";
        command.Parameters.AddWithValue("$id", srsId);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        var organization = reader.IsDBNull(0) ? "" : reader.GetString(0);
        var definition = reader.IsDBNull(2) ? "" : reader.GetString(2);
        if (organization.Equals("EPSG", StringComparison.OrdinalIgnoreCase) && !reader.IsDBNull(1))
        {
            try { return CrsRegistry.FromEpsg(reader.GetInt32(1)); }
            catch (InputException) when (definition.Contains('[')) { } // not a code kept here: read its WKT instead
        }
        return definition.Contains('[') ? CrsRegistry.FromWkt(definition) : null;
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    public void Dispose() => _connection.Dispose();
}
