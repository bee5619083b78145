using Microsoft.AspNetCore.Server.Kestrel.Core;
using SpatialReadiness.PostGis;
using SpatialReadiness.PostGis.Accounts;
using SpatialReadiness.PostGis.Contributions;
using SpatialReadiness.PostGis.Features;
using SpatialReadiness.PostGis.Feeds;
using SpatialReadiness.PostGis.Layers;
using SpatialReadiness.PostGis.Readiness;
using SpatialReadiness.PostGis.Tiles;
using SpatialReadiness.Server;
using SpatialReadiness.Server.Auth;
using SpatialReadiness.Server.Endpoints;
using SpatialReadiness.Server.Exports;
using SpatialReadiness.Server.Metrics;
using SpatialReadiness.Server.OData;
using SpatialReadiness.Server.Proxies;
using SpatialReadiness.Server.Readiness;
using SpatialReadiness.Server.Tiles;
using SpatialReadiness.Server.Viewer;

var builder = WebApplication.CreateBuilder(args);
var options = ServerOptions.Bind(builder.Configuration);
builder.Services.AddSingleton(options);
builder.Services.AddSingleton(ViewerOptions.Bind(builder.Configuration));
builder.Services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = options.MaxUploadBytes + (1 << 20));
builder.Services.AddProblemDetails();
builder.Services.AddTrustedProxies(builder.Configuration);
builder.Services.AddServerMetrics();
builder.Services.AddOpenApi();
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);

var connectionString = await Database.ResolveConnectionStringAsync(options.ConnectionString, options.DataRoot);
var dataSource = await Database.OpenAsync(connectionString);
builder.Services.AddSingleton(dataSource);
builder.Services.AddSingleton<LayerStore>();
// Tile and feature reads go to SR_PG_READ (a replica) when it has the layers at the versions the primary says.
var tileDataSource = Database.CreateTileDataSource(connectionString);
(Npgsql.NpgsqlDataSource? Tiles, Npgsql.NpgsqlDataSource? Features) replicaReads = options.ReadConnectionString is { } read
    ? (Database.CreateTileDataSource(read), Database.CreateDataSource(read)) : (null, null);
builder.Services.AddSingleton(new FeatureReader(dataSource, new ReplicaReads(dataSource, replicaReads.Features)));
builder.Services.AddSingleton<FeatureWriter>();
builder.Services.AddSingleton<FeatureHistory>();
builder.Services.AddSingleton<AccountStore>();
builder.Services.AddSingleton(new ContributionStore(dataSource, Database.CreateStagingDataSource(connectionString)));
builder.Services.AddSpatialReadinessAuth(options);
builder.Services.AddSingleton<CheckRuns>();
builder.Services.AddSingleton<Findings>();
builder.Services.AddSingleton<PlanningUses>();
builder.Services.AddSingleton<CheckRunner>();
builder.Services.AddSingleton<RecordReader>();
builder.Services.AddSingleton<ODataFeed>();
builder.Services.AddSingleton<LayerExport>();
builder.Services.AddSingleton(new TileStore(new ReplicaReads(tileDataSource, replicaReads.Tiles)));
builder.Services.AddSingleton<TileCatalog>();
builder.Services.AddSingleton<TileCache>();
builder.Services.AddHostedService<LayerChangeListener>();

var app = builder.Build();
app.UseTrustedProxies();
app.UseServerMetrics();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseViewerFiles();
app.UseSpatialReadinessAuth();
app.MapOpenApi(); // /openapi/v1.json
app.MapAuthEndpoints();
app.MapLayerEndpoints();
app.MapTileEndpoints();
app.MapReadinessEndpoints();
app.MapODataEndpoints();
app.MapOgcEndpoints();
app.MapViewerEndpoints();
app.MapContributionEndpoints();
app.MapGet("/health", () => "ok"); // liveness, and the do-nothing endpoint the tile benchmark measures against
app.Run();

public partial class Program;
