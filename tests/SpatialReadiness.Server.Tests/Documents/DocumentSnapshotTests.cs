using System.Globalization;
using System.Text;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Documents;

/// <summary>
/// The public API documents, each compared with its approved copy (Documents/approved/): a change to what clients
/// read (OGC API landing, conformance, collections and OpenAPI, OData $metadata, TileJSON, styles) is a diff in review.
/// A server of its own over a fresh database, with one city and two small layers, so the documents are the same on
/// every run.
/// </summary>
public sealed class DocumentSnapshotTests(DocumentSnapshotTests.City city) : IClassFixture<DocumentSnapshotTests.City>
{
    public sealed class City : IAsyncLifetime
    {
        public ServerFixture Server { get; } = new();
        public long Wards { get; private set; }
        public long Assets { get; private set; }

        public async Task InitializeAsync()
        {
            await Server.InitializeAsync();
            await Server.Admin.CreateCityAsync("snapcity", "Snapshot city");
            Wards = (await Server.Admin.UploadAsync("snapcity", Encoding.UTF8.GetBytes(WardsGeoJson), "wards.geojson", "ward",
                ("name", "wards"), ("title", "Wards")).CreatedLayerAsync()).GetProperty("id").GetInt64();
            Assets = (await Server.Admin.UploadAsync("snapcity", Encoding.UTF8.GetBytes(AssetsGeoJson), "assets.geojson", "asset",
                ("name", "assets"), ("title", "Assets")).CreatedLayerAsync()).GetProperty("id").GetInt64();
        }

        public Task DisposeAsync() => Server.DisposeAsync();
    }

    [Theory]
    [InlineData("/ogc", "ogc-landing.json")]
    [InlineData("/ogc/conformance", "ogc-conformance.json")]
    [InlineData("/ogc/collections", "ogc-collections.json")]
    [InlineData("/ogc/api", "ogc-openapi.json")]
    [InlineData("/ogc/collections/snapcity__wards", "ogc-collection-wards.json")]
    [InlineData("/ogc/collections/snapcity__wards/queryables", "ogc-queryables-wards.json")]
    [InlineData("/tiles/{wards}.json", "tilejson-wards.json")]
    [InlineData("/tiles/{assets}.json", "tilejson-assets.json")]
    [InlineData("/styles", "styles.json")]
    [InlineData("/styles/ward?layer={wards}", "style-ward.json")]
    [InlineData("/styles/asset?layer={assets}", "style-asset.json")]
    [InlineData("/odata", "odata-service.json")]
    public async Task A_JSON_document_is_as_approved(string path, string approved)
    {
        var text = await GetAsync(path);
        Approved.Json(approved, text);
    }

    [Fact]
    public async Task The_OData_metadata_is_as_approved() => Approved.Text("odata-metadata.xml", await GetAsync("/odata/$metadata"));

    private async Task<string> GetAsync(string path)
    {
        var url = path.Replace("{wards}", city.Wards.ToString(CultureInfo.InvariantCulture)).Replace("{assets}", city.Assets.ToString(CultureInfo.InvariantCulture));
        var response = await city.Server.Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {body}");
        return body;
    }

    private const string WardsGeoJson = """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"ward_no":1,"ward_name":"Kasba Peth","population":41000},"geometry":{"type":"Polygon","coordinates":[[[73.850,18.510],[73.860,18.510],[73.860,18.520],[73.850,18.520],[73.850,18.510]]]}},
        {"type":"Feature","properties":{"ward_no":2,"ward_name":"Shivajinagar","population":52000},"geometry":{"type":"Polygon","coordinates":[[[73.860,18.510],[73.870,18.510],[73.870,18.520],[73.860,18.520],[73.860,18.510]]]}},
        {"type":"Feature","properties":{"ward_no":3,"ward_name":"Deccan","population":38500},"geometry":{"type":"Polygon","coordinates":[[[73.850,18.520],[73.870,18.520],[73.870,18.530],[73.850,18.530],[73.850,18.520]]]}}]}
        """;

    private const string AssetsGeoJson = """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"asset_id":"A1","asset_type":"school","name":"Ward 1 school","ward_no":1},"geometry":{"type":"Point","coordinates":[73.855,18.515]}},
        {"type":"Feature","properties":{"asset_id":"A2","asset_type":"hospital","name":"Ward 2 hospital","ward_no":2},"geometry":{"type":"Point","coordinates":[73.865,18.515]}}]}
        """;
}
