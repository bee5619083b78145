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
using SpatialReadiness.Server.Fonts;
using SpatialReadiness.Server.Http;
using SpatialReadiness.Server.Metrics;
using SpatialReadiness.Server.OData;
using SpatialReadiness.Server.OgcFeatures;
using SpatialReadiness.Server.Proxies;
using SpatialReadiness.Server.Readiness;
using SpatialReadiness.Server.Resilience;
using SpatialReadiness.Server.Tiles;
using SpatialReadiness.Server.Uploads;
using SpatialReadiness.Server.Viewer;

var builder = WebApplication.CreateBuilder(args);
var options = ServerOptions.Bind(builder.Configuration);
builder.Services.AddSingleton(options);
builder.Services.AddSingleton(ViewerOptions.Bind(builder.Configuration));
builder.Services.Configure<KestrelServerOptions>(k =>
{
    k.Limits.MaxRequestBodySize = options.MaxUploadBytes + (1 << 20);
    // A stalled or crawling upload is cut off (408) instead of holding an import slot and a temp file for ever.
    k.Limits.MinRequestBodyDataRate = new MinDataRate(options.MinUploadBytesPerSecond, TimeSpan.FromSeconds(10));
    // A feed page (2-4 MB) keeps being read from PostgreSQL while the client takes the last megabyte, instead of both
    // waiting on a 64 KB buffer (feeds bench: about 0.1x more of the floor). At most SR_MAX_FEEDS answers are that
    // large at once; the minimum response data rate still cuts off a reader that stops reading.
    k.Limits.MaxResponseBufferSize = 1 << 20;
});
builder.Services.AddProblemDetails();
builder.Services.AddTrustedProxies(builder.Configuration);
builder.Services.AddServerMetrics();
builder.Services.AddOpenApi();
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);

var connectionString = await Database.ResolveConnectionStringAsync(options.ConnectionString, options.DataRoot);
var dataSource = await Database.OpenAsync(connectionString);
var feedSource = Database.CreateFeedDataSource(connectionString, options.FeedTimeout);
var tileSource = Database.CreateTileDataSource(connectionString, options.TileTimeout);
var stagingSource = Database.CreateStagingDataSource(connectionString);
builder.Services.AddSingleton(dataSource);
// Tile and feature reads go to SR_PG_READ (a replica) when it has the layers at the versions the primary says,
// bounded by the same timeouts as on the primary.
(Npgsql.NpgsqlDataSource? Tiles, Npgsql.NpgsqlDataSource? Feeds, Npgsql.NpgsqlDataSource? Exports) replica = options.ReadConnectionString is { } read
    ? (Database.CreateTileDataSource(read, options.TileTimeout), Database.CreateFeedDataSource(read, options.FeedTimeout), Database.CreateDataSource(read))
    : (null, null, null);
builder.Services.AddSingleton(new DatabasePools(new[] { dataSource, feedSource, tileSource, stagingSource, replica.Tiles, replica.Feeds, replica.Exports }
    .OfType<Npgsql.NpgsqlDataSource>().ToArray()));
builder.Services.AddSingleton(new FeatureReader(new ReplicaReads(feedSource, replica.Feeds)));
builder.Services.AddSingleton<WorkLimits>();
builder.Services.AddSingleton(new LayerFieldTypes(new ReplicaReads(feedSource, replica.Feeds))); // a sample read, bounded like the feeds
// Layers, cities and the users of keys and sessions are read from the replica while the primary cannot be reached
// (a failover), so reads go on; the tile catalog does the same itself, without keeping what the replica said.
var failover = new FailoverReads(replica.Feeds);
builder.Services.AddSingleton(new LayerStore(dataSource, failover));
builder.Services.AddSingleton(new CatalogFallback(replica.Feeds is { } replicaFeeds ? new LayerStore(replicaFeeds, FailoverReads.OnReplica(replicaFeeds)) : null));
builder.Services.AddSingleton<FeatureWriter>();
builder.Services.AddSingleton<FeatureHistory>();
builder.Services.AddSingleton(new AccountStore(dataSource, failover));
builder.Services.AddSingleton(new ContributionStore(dataSource, stagingSource));
builder.Services.AddSpatialReadinessAuth(options);
builder.Services.AddSingleton<CheckRuns>();
builder.Services.AddSingleton<Findings>();
builder.Services.AddSingleton<PlanningUses>();
builder.Services.AddSingleton<CheckRunner>();
builder.Services.AddHostedService<AbandonedWork>();
builder.Services.AddSingleton(new RecordReader(feedSource));
builder.Services.AddSingleton<ODataServices>();
builder.Services.AddSingleton<ODataJson>();
builder.Services.AddSingleton<Aggregates>();
builder.Services.AddSingleton<ODataAggregation>();
builder.Services.AddSingleton<ODataFeed>();
// A whole layer takes as long as it takes; a client gone cancels it.
builder.Services.AddSingleton(new LayerExport(new FeatureReader(new ReplicaReads(dataSource, replica.Exports))));
builder.Services.AddSingleton(new TileStore(new ReplicaReads(tileSource, replica.Tiles)));
builder.Services.AddSingleton(sp => new TileCatalog(new LayerStore(dataSource), sp.GetRequiredService<LayerFieldTypes>(), sp.GetRequiredService<CatalogFallback>()));
builder.Services.AddSingleton(sp => new Glyphs(options.FontsDirectory, sp.GetRequiredService<ILogger<Glyphs>>()));
builder.Services.AddSingleton<TileCache>();
builder.Services.AddHostedService<LayerChangeListener>();
builder.Services.AddSingleton(new TileGeometryFill(dataSource));
builder.Services.AddHostedService<TileGeometryFiller>();
builder.Services.AddSingleton<SpatialReadiness.Server.Publishing.CatalogSource>();

var app = builder.Build();
app.UseTrustedProxies();
app.UseServerMetrics();
app.UseCrossOrigin(options.CorsOrigins);
app.UseGdalLimits();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<ErrorAnswers>();
app.UseBodyLimits();
app.UseViewerFiles();
app.UseOgcQueryPosts(); // before sign-in is asked for: a query POSTed to /items gets its own answer
app.UseSpatialReadinessAuth();
app.UseMiddleware<FeedLimit>();
app.MapOpenApi(); // /openapi/v1.json
app.MapAuthEndpoints();
app.MapLayerEndpoints();
app.MapTileEndpoints();
app.MapReadinessEndpoints();
app.MapODataEndpoints();
app.MapOgcEndpoints();
app.MapViewerEndpoints();
app.MapFontEndpoints();
app.MapContributionEndpoints();
app.MapHealthEndpoints();
app.MapCatalogEndpoints();
app.MapCkanEndpoints();
app.MapPublishingEndpoints();
app.Run();

public partial class Program;
