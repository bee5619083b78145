using Npgsql;
using SpatialReadiness.PostGis;

namespace SpatialReadiness.Server.Tests.Infrastructure;

/// <summary>
/// A fresh database per test run in the real PostGIS (SR_PG, or the embedded cluster under .data/pg), migrated,
/// dropped afterwards. Tests share it and keep apart by using their own city ids.
/// </summary>
public sealed class PostgisFixture : IAsyncLifetime
{
    private string _adminConnectionString = "";

    public string DatabaseName { get; } = "sr_test_" + Guid.NewGuid().ToString("N")[..12];
    public string ConnectionString { get; private set; } = "";
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable("SR_PG");
        if (string.IsNullOrWhiteSpace(configured))
        {
            ConnectionString = await Database.ResolveConnectionStringAsync(null, Database.DefaultDataRoot(), DatabaseName);
            _adminConnectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres" }.ConnectionString;
        }
        else
        {
            _adminConnectionString = configured;
            await using var admin = new NpgsqlConnection(configured);
            await admin.OpenAsync();
            await using (var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", admin)) await create.ExecuteNonQueryAsync();
            ConnectionString = new NpgsqlConnectionStringBuilder(configured) { Database = DatabaseName }.ConnectionString;
        }
        DataSource = await Database.OpenAsync(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {DatabaseName} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        return (T)(await command.ExecuteScalarAsync())!;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgisCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "postgis";
}
