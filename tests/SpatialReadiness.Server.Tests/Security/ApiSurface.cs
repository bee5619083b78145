using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SpatialReadiness.Server.Tests.Infrastructure;

namespace SpatialReadiness.Server.Tests.Security;

/// <summary>
/// Every readable resource of the API, found by reading the API's own documents (the server's OpenAPI document, OGC
/// API's, the OData service document), not from a fixed list: each GET path with its parameters filled in with real
/// ids of the canary city, plus the variants that change what is rendered (export formats, HTML pages, styles bound to
/// a layer). A path parameter this class cannot fill fails the test, so a new endpoint is never silently skipped.
/// </summary>
public static partial class ApiSurface
{
    public const long UnknownLayer = 987_654_321;

    public static async Task<(List<string> Urls, List<string> Unfilled)> UrlsAsync(HttpClient reader, CanaryCity city)
    {
        var urls = new List<string>();
        var unfilled = new List<string>();
        var api = await reader.GetJsonAsync("/openapi/v1.json");
        foreach (var path in api.GetProperty("paths").EnumerateObject().Where(p => p.Value.TryGetProperty("get", out _)).Select(p => p.Name))
            urls.AddRange(Fill(path, city, unfilled).SelectMany(u => Variants(u, city)).Where(u => !FeatureSet().IsMatch(u)));
        var ogc = await reader.GetJsonAsync("/ogc/api");
        // Other tests' cities share the server: only the canary city's collections are read (their pages are large).
        foreach (var path in ogc.GetProperty("paths").EnumerateObject().Where(p => p.Value.TryGetProperty("get", out _)).Select(p => p.Name)
                     .Where(p => !p.StartsWith("/collections/", StringComparison.Ordinal) || p.StartsWith("/collections/{", StringComparison.Ordinal) || p.StartsWith($"/collections/{city.City}__", StringComparison.Ordinal)))
            urls.AddRange(Fill("/ogc" + path, city, unfilled).SelectMany(u => new[] { u, u + (u.Contains('?') ? "&" : "?") + "f=html" }));
        var odata = await reader.GetJsonAsync("/odata");
        urls.Add("/odata/$metadata");
        // Each set as a feed, a count and by key; a layer's own set only for the canary city (other tests' layers have
        // sets too, and their pages are large).
        var ownSetPrefix = city.City.Replace('-', '_') + "_";
        var featureIds = city.Features.Values.SelectMany(ids => ids.Take(2)).Select(Text).ToList();
        foreach (var set in odata.GetProperty("value").EnumerateArray().Select(s => s.GetProperty("url").GetString()!))
        {
            if (set is "Cities" or "ReadinessScores")
                urls.AddRange([$"/odata/{set}", $"/odata/{set}/$count", $"/odata/{set}('{city.City}')"]);
            else if (set is "Layers" or "Findings" or "Features" or "Wards" or "Slums" or "Assets")
            {
                urls.AddRange([$"/odata/{set}?$filter=City eq '{city.City}'", $"/odata/{set}/$count?$filter=City eq '{city.City}'"]);
                var keys = set switch { "Layers" => city.Layers.Values.Select(Text), "Findings" => city.Findings.Select(Text), _ => featureIds };
                urls.AddRange(keys.Select(k => $"/odata/{set}({k})"));
            }
            else if (set.StartsWith(ownSetPrefix, StringComparison.Ordinal))
                urls.AddRange(featureIds.Select(k => $"/odata/{set}({k})").Concat([$"/odata/{set}", $"/odata/{set}/$count"]));
        }
        return (urls.Distinct().ToList(), unfilled.Distinct().ToList());
    }

    /// <summary>The path with each {parameter} replaced by every value it takes in the canary city.</summary>
    private static IEnumerable<string> Fill(string path, CanaryCity city, List<string> unfilled)
    {
        var match = Parameter().Match(path);
        if (!match.Success) return [path];
        var name = match.Groups[1].Value;
        var before = path[..match.Index];
        var values = Values(before, name, path, city);
        if (values is null)
        {
            unfilled.Add($"{{{name}}} in {path}");
            return [];
        }
        return values.SelectMany(v => Fill(before + Uri.EscapeDataString(v) + path[(match.Index + match.Length)..], city, unfilled)).Distinct();
    }

    private static IEnumerable<string>? Values(string before, string name, string path, CanaryCity city)
    {
        var layerIds = city.Layers.Values.Select(Text).Append(Text(UnknownLayer));
        var (z, x, y) = VectorTiles.TileOf(73.85, 18.55, 12);
        return name switch
        {
            "city" => [city.City, "no-such-city"],
            "id" when before.EndsWith("/api/layers/") => layerIds,
            "id" when before.EndsWith("/checks/") => [city.Run.ToString()],
            "id" when before.EndsWith("/imports/") => [city.Job.ToString()],
            "id" when before.EndsWith("/contributions/") => city.Contributions.Select(Text),
            "id" when before.EndsWith("/keys/") => ["1"],
            "featureId" or "fid" when LayerOf(before) is { } layer => city.Features.TryGetValue(layer, out var ids) ? ids.Take(3).Select(Text) : ["1"],
            "featureId" or "fid" when CollectionOf(before) is { } collection => city.Features[city.Layers[collection]].Take(3).Select(Text),
            "layer" when before.StartsWith("/tiles/") => layerIds,
            "layer" => city.Layers.Keys.Append("no-such-layer"),
            "collectionId" => city.Layers.Keys.Select(l => $"{city.City}__{l}"),
            "z" => [Text(z)],
            "x" => [Text(x)],
            "y" => [path.EndsWith("{y}") ? $"{y}.mvt" : Text(y)],
            "kind" or "style" => Styles,
            "fontstack" => ["Noto Sans Regular,Noto Sans Devanagari Regular", "No Such Font"],
            "range" => ["0-255.pbf", "2304-2559.pbf"],
            "file" when before.EndsWith("/fonts/files/") => ["NotoSans-Regular.ttf", "passwd"],
            "id" when before.EndsWith("/styles/") => Styles,
            "path" when before == "/odata/" => [], // the sets, counts and keys come from the service document above
            "action" => ["package_list", "package_search", "organization_list", "status_show", "help_show", "package_show", "organization_show"],
            "format" => ["ttl", "jsonld", "rdf"],
            "set" => ["Cities", "Layers", "Wards", "Slums", "Assets", "Features", "Findings", "ReadinessScores"],
            "key" when before.EndsWith("Cities(") || before.EndsWith("ReadinessScores(") => [$"'{city.City}'"],
            "key" when before.EndsWith("Layers(") => layerIds,
            "key" when before.EndsWith("Findings(") => city.Findings.Select(Text),
            "key" when before.EndsWith("Features(") || before.EndsWith("Wards(") || before.EndsWith("Slums(") || before.EndsWith("Assets(") =>
                city.Features.Values.SelectMany(ids => ids.Take(2)).Select(Text),
            _ => null,
        };
    }

    private static readonly string[] Styles = ["ward", "slum", "asset", "boundary", "other", "findings"];

    /// <summary>What changes what a path renders: formats, a style bound to each layer or to the city.</summary>
    private static IEnumerable<string> Variants(string url, CanaryCity city)
    {
        yield return url;
        // CKAN's actions take their subject in the query: every layer of the canary city, hidden ones included.
        if (url.EndsWith("/action/package_show"))
            foreach (var layer in city.Layers.Keys) yield return $"{url}?id={city.City}__{layer}";
        if (url.EndsWith("/action/package_search")) yield return $"{url}?q=canary&rows=1000";
        if (url.EndsWith("/action/organization_show")) yield return $"{url}?id=no-such-org";
        if (url.EndsWith("/findings")) yield return $"{url}?format=csv";
        if (url.EndsWith("/export"))
            foreach (var format in new[] { "csv", "shp", "gpkg" }) yield return $"{url}?format={format}";
        if (url.StartsWith("/styles/findings")) yield return $"{url}?city={CanaryCity.Id}";
        // Feature sets of the whole server are large (other tests' cities): the canary city's rows are read.
        if (FeatureSet().IsMatch(url)) yield return $"{url}?$filter=City eq '{CanaryCity.Id}'";
    }

    public static IEnumerable<string> StyleVariants(CanaryCity city) =>
        new[] { "ward", "slum", "asset", "boundary", "other" }.SelectMany(s => city.Layers.Values.Append(UnknownLayer).Select(l => $"/styles/{s}?layer={l}"));

    private static long? LayerOf(string before) =>
        LayerInPath().Match(before) is { Success: true } m ? long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;

    private static string? CollectionOf(string before) =>
        CollectionInPath().Match(before) is { Success: true } m ? m.Groups[1].Value : null;

    private static string Text(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Everything a response tells its reader, as text: status, headers, and the body decoded (zip entries, vector tiles, GeoPackage bytes).</summary>
    public static async Task<(int Status, string Text)> ReadAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var text = new StringBuilder().Append((int)response.StatusCode).Append('\n');
        foreach (var header in response.Headers.Concat(response.Content.Headers)) text.Append(header.Key).Append(": ").AppendJoin(", ", header.Value).Append('\n');
        var type = response.Content.Headers.ContentType?.MediaType ?? "";
        if (type.Contains("zip")) text.Append(Unzip(bytes));
        else if (type.Contains("vector-tile") && bytes.Length > 0) text.Append(Tile(bytes, url));
        else text.Append(Encoding.UTF8.GetString(bytes)).Append(Encoding.Latin1.GetString(bytes));
        return ((int)response.StatusCode, text.ToString());
    }

    private static string Unzip(byte[] bytes)
    {
        using var zip = new ZipArchive(new MemoryStream(bytes));
        var text = new StringBuilder();
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            text.Append(entry.FullName).Append('\n').Append(Encoding.Latin1.GetString(memory.ToArray())).Append('\n');
        }
        return text.ToString();
    }

    private static string Tile(byte[] bytes, string url)
    {
        var parts = TileAddress().Match(url);
        int At(int i) => int.Parse(parts.Groups[i].Value, System.Globalization.CultureInfo.InvariantCulture);
        var tile = VectorTiles.Decode(bytes, At(1), At(2), At(3));
        var text = new StringBuilder(Encoding.UTF8.GetString(bytes));
        foreach (var layer in tile.Layers)
        {
            text.Append(layer.Name).Append('\n');
            foreach (var feature in layer.Features)
                foreach (var name in feature.Attributes.GetNames()) text.Append(name).Append('=').Append(feature.Attributes[name]).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A response body with what the request itself said (path segments, query values) taken out: an echo is not a leak.</summary>
    public static string WithoutEcho(string text, string url)
    {
        var parts = url.Split('?', 2);
        // An OData key lookup's segment is said with and without its key: Set(12) names Set.
        var said = parts[0].Split('/').SelectMany(segment => new[] { segment, segment.Split('(')[0] }).Concat(parts.Length > 1 ? parts[1].Split('&').Select(q => q.Split('=', 2).Last()) : [])
            .Select(Uri.UnescapeDataString).Where(s => s.Length > 3).OrderByDescending(s => s.Length);
        foreach (var s in said) text = text.Replace(s, "", StringComparison.Ordinal);
        return text;
    }

    [GeneratedRegex(@"\{([A-Za-z]+)(?::[^}]*)?\}")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"^/odata/(Features|Wards|Slums|Assets|Layers|Findings)$")]
    private static partial Regex FeatureSet();

    [GeneratedRegex(@"/api/layers/(\d+)/")]
    private static partial Regex LayerInPath();

    [GeneratedRegex(@"/collections/[a-z0-9-]+__([a-z0-9_-]+)/items/$")]
    private static partial Regex CollectionInPath();

    [GeneratedRegex(@"/(\d+)/(\d+)/(\d+)(?:\.mvt)?$")]
    private static partial Regex TileAddress();

    public static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;
}
