using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SpatialReadiness.Core.Accounts;
using SpatialReadiness.Server.Tests.Infrastructure;
using static SpatialReadiness.Server.Tests.Infrastructure.ContributionCity;

namespace SpatialReadiness.Server.Tests.Security;

/// <summary>
/// A city of the city GIS cell (<see cref="ServerFixture.CityOrg"/>) with unique marker strings planted wherever
/// household data lives: sensitive fields of a slum layer (its id field, head names, ward numbers: used by
/// ID_NOT_UNIQUE, OVERLAP labels, WARD_MISMATCH), sensitive lat/lon and names of an asset layer (ATTR_COORDINATES
/// takes its detail and location from them), and a sensitive layer whose name, title, field name and values are
/// markers. A check has run, contributions with findings exist (one by another organisation's contributor, one by the
/// owner's), and an import job names the sensitive layer. Readers: four who may not see any of it, one who may.
/// </summary>
public sealed record CanaryCity(
    string City, IReadOnlyDictionary<string, long> Layers, IReadOnlyDictionary<long, long[]> Features, long[] Contributions, Guid Run, Guid Job, long[] Findings,
    IReadOnlyList<(string Name, HttpClient Client)> Strangers, HttpClient Owner)
{
    public const string Id = "canary-city";
    public const string HiddenLayer = "hhcanaryzq";

    /// <summary>Every marker, each of which only the owner's members may ever receive.</summary>
    public static readonly string[] Markers =
        ["CANARY-SID", "CANARY-HEAD", "CANARY-WARD", "CANARY-ASSET", "10.02468", "76.13579", HiddenLayer, "CANARY-TITLE-HH", "canary_field_zq", "CANARY-HHVAL"];

    private static Task<CanaryCity>? _shared;
    private static readonly Lock Gate = new();

    public static Task<CanaryCity> GetAsync(ServerFixture server)
    {
        lock (Gate) return _shared ??= CreateAsync(server);
    }

    private static async Task<CanaryCity> CreateAsync(ServerFixture server)
    {
        var admin = server.Admin;
        var created = await admin.PostAsJsonAsync("/api/cities", new { id = Id, name = "Canarypur", state = "Maharashtra", owner = ServerFixture.CityOrg });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var layers = new Dictionary<string, long>
        {
            ["boundary"] = await UploadAsync(admin, "boundary", "boundary", [], Feature("{\"name\":\"Canarypur\"}", Square(73.80013, 18.50011, 73.90017, 18.60019))),
            ["wards"] = await UploadAsync(admin, "wards", "ward", [],
                Feature("{\"ward_no\":\"1\",\"ward_name\":\"West\"}", Square(73.80013, 18.50011, WardEdge, 18.60019)),
                Feature("{\"ward_no\":\"2\",\"ward_name\":\"East\"}", Square(WardEdge, 18.50011, 73.90017, 18.60019))),
            // Two slums share a hidden id and overlap (ID_NOT_UNIQUE, OVERLAP naming the other by it); one states a ward
            // number that is no ward (WARD_MISMATCH quotes it). Every label is the hidden id.
            ["slums"] = await UploadAsync(admin, "slums", "slum", [("editable", "true"), ("sensitiveFields", "slum_id,head_name,ward_no")],
                Feature(Slum("CANARY-SID-1", "Alpha Nagar", "CANARY-WARD-7", 120, "CANARY-HEAD-1"), Square(73.82011, 18.52013, 73.82517, 18.52519)),
                Feature(Slum("CANARY-SID-1", "Beta Nagar", "1", 80, "CANARY-HEAD-2"), Square(73.82311, 18.52313, 73.82817, 18.52819))),
            // Its attributes put the asset far from its geometry: ATTR_COORDINATES' detail and location are the hidden position.
            ["assets"] = await UploadAsync(admin, "assets", "asset", [("sensitiveFields", "lat,lon,asset_name")],
                Feature("{\"asset_id\":\"A1\",\"asset_type\":\"school\",\"ward_no\":\"1\",\"asset_name\":\"CANARY-ASSET-1\",\"lat\":\"10.0246813\",\"lon\":\"76.1357924\"}",
                    "{\"type\":\"Point\",\"coordinates\":[73.83011,18.52013]}")),
        };
        var job = await UploadHiddenLayerAsync(server, layers);
        var features = new Dictionary<long, long[]>();
        foreach (var id in layers.Values)
            features[id] = await server.Database.ScalarAsync<long[]>("SELECT array_agg(id ORDER BY ordinal) FROM features WHERE layer_id = $1", id);
        var run = (await admin.RunCheckAsync(Id)).GetProperty("id").GetGuid();

        var strangerModerator = await server.UserAsync("canary-ngo-moderator", Role.Moderator, ServerFixture.NgoOrg);
        var viewer = await server.UserAsync("canary-viewer", Role.Viewer, null);
        var owner = await server.UserAsync("canary-city-contributor", Role.Contributor, ServerFixture.CityOrg);
        // Proposals overlapping the first slum: OVERLAP's detail names it by its hidden id.
        var overlapping = Square(73.82111, 18.52113, 73.82417, 18.52419);
        var ngo = await server.Contributor.ProposedAsync(layers["slums"], "ngo survey", Create(Slum("N-1", "Gamma Nagar", "1", 5, "n/a"), overlapping));
        var own = await owner.ProposedAsync(layers["slums"], "gis cell survey", Create(Slum("C-1", "Delta Nagar", "1", 5, "n/a"), overlapping));
        var findings = await server.Database.ScalarAsync<long[]>("SELECT array_agg(id ORDER BY id) FROM findings WHERE run_id = $1", run);
        return new CanaryCity(Id, layers, features, [ngo.Id(), own.Id()], run, job, findings,
            [("anonymous", server.Client), ("a viewer", viewer), ("another organisation's contributor", server.Contributor), ("another organisation's moderator", strangerModerator)],
            owner);
    }

    private static async Task<long> UploadAsync(HttpClient admin, string name, string kind, (string, string)[] fields, params string[] features) =>
        (await admin.UploadAsync(Id, Encoding.UTF8.GetBytes(Collection(features)), $"{name}.geojson", kind,
            [("name", name), .. fields]).CreatedLayerAsync()).GetProperty("id").GetInt64();

    /// <summary>The sensitive layer, imported as a job (so a job names it), owned by the city by default.</summary>
    private static async Task<Guid> UploadHiddenLayerAsync(ServerFixture server, Dictionary<string, long> layers)
    {
        var body = Collection(Feature("{\"canary_field_zq\":\"CANARY-HHVAL-1\",\"lat\":\"10.0246813\",\"lon\":\"76.1357924\"}", "{\"type\":\"Point\",\"coordinates\":[73.83111,18.52113]}"),
            Feature("{\"canary_field_zq\":\"CANARY-HHVAL-2\"}", "{\"type\":\"Point\",\"coordinates\":[73.86111,18.52113]}"));
        using var form = new MultipartFormDataContent
        {
            { new StringContent("other"), "kind" }, { new StringContent("CC BY 4.0"), "licence" }, { new StringContent(HiddenLayer), "name" },
            { new StringContent("CANARY-TITLE-HH households"), "title" }, { new StringContent("true"), "sensitive" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(body)), "file", "households.geojson" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cities/{Id}/layers") { Content = form };
        request.Headers.Add("Prefer", "respond-async");
        var response = await server.Admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = (await response.JsonAsync()).GetProperty("id").GetGuid();
        for (var i = 0; i < 600; i++)
        {
            var status = await server.Admin.GetJsonAsync($"/api/imports/{job}");
            if (status.GetProperty("status").GetString() == "succeeded")
            {
                layers[HiddenLayer] = status.GetProperty("layerId").GetInt64();
                return job;
            }
            Assert.Equal("running", status.GetProperty("status").GetString());
            await Task.Delay(50);
        }
        throw new TimeoutException("the sensitive layer's import did not finish");
    }

    private static string Collection(params string[] features) => "{\"type\":\"FeatureCollection\",\"features\":[" + string.Join(",", features) + "]}";

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
