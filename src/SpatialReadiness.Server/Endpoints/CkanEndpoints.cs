using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SpatialReadiness.Core.Publishing;
using SpatialReadiness.Server.Publishing;

namespace SpatialReadiness.Server.Endpoints;

/// <summary>
/// A CKAN-compatible read API at /api/3/action/{action} (and /api/action/{action}, where ckanapi calls): package_list,
/// package_show, package_search, organization_list, organization_show, status_show and help_show, by GET (query
/// string) or POST (JSON or form), in CKAN's envelope {help, success, result} and with CKAN's errors
/// {success: false, error: {__type, message}}: 404 Not Found Error, 409 Validation Error and Search Query Error,
/// 400 Bad request. Public and the same for everyone, like the catalogue.
/// </summary>
public static class CkanEndpoints
{
    public const int MaxRows = 1000;

    private sealed class CkanError(int status, string type, string message, JsonObject? fields = null) : Exception(message)
    {
        public int Status => status;
        public string Type => type;
        public JsonObject? Fields => fields;
    }

    private static readonly Dictionary<string, string> Help = new()
    {
        ["package_list"] = "Return the names of the public datasets (limit, offset).",
        ["package_show"] = "Return one dataset (id: its name, {city}__{layer}).",
        ["package_search"] = "Search datasets: q, fq (organization:, tags:, res_format:, groups:, name:, license_id:), rows (max 1000), start.",
        ["organization_list"] = "Return the publishing organisations (all_fields, limit, offset).",
        ["organization_show"] = "Return one organisation (id; include_datasets).",
        ["status_show"] = "Return the site's version and settings.",
        ["help_show"] = "Return an action's help (name).",
    };

    private static readonly Dictionary<string, Func<CkanPackages, IReadOnlyDictionary<string, string>, PublishedUrls, JsonNode?>> Actions = new()
    {
        ["package_list"] = (p, a, _) => new JsonArray([.. Page(p.Layers, a, int.MaxValue).Select(l => (JsonNode)PublishedUrls.CkanName(l))]),
        ["package_show"] = (p, a, _) => p.Package(p.Find(Required(a, "id")) ?? throw NotFound()),
        ["package_search"] = Search,
        ["organization_list"] = OrganisationList,
        ["organization_show"] = OrganisationShow,
        ["status_show"] = (_, _, urls) => new JsonObject
        {
            ["site_title"] = "SpatialReadiness", ["site_description"] = "Spatial layers of Indian cities, with downloads, APIs and DMAF 4.e readiness",
            ["site_url"] = urls.Root, ["ckan_version"] = CkanPackages.CkanVersion, ["error_emails_to"] = null, ["locale_default"] = "en",
            ["extensions"] = new JsonArray("spatialreadiness"),
        },
        ["help_show"] = (_, a, _) => Help.TryGetValue(Required(a, "name"), out var text) ? JsonValue.Create(text) : throw NotFound(),
    };


    public static void MapCkanEndpoints(this IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "/api/3/action/{action}", "/api/action/{action}" })
            app.MapMethods(prefix, ["GET", "POST"], Call).DisableAntiforgery().WithTags("CKAN")
                .WithSummary("CKAN-compatible read API: package_list, package_show, package_search, organization_list, organization_show, status_show");
    }

    private static async Task<IResult> Call(string action, HttpContext http, CatalogSource source)
    {
        var urls = CatalogSource.Urls(http.Request);
        var help = $"{urls.Root}/api/3/action/help_show?name={Uri.EscapeDataString(action)}";
        CatalogSource.MarkPublic(http.Response);
        try
        {
            if (!Actions.TryGetValue(action, out var run)) throw new CkanError(400, "Bad request", $"Bad request - Action name not known: {action}");
            var arguments = await ArgumentsAsync(http.Request);
            var packages = new CkanPackages(await source.ReadAsync(null, http.RequestAborted), urls);
            return Results.Json(new JsonObject { ["help"] = help, ["success"] = true, ["result"] = run(packages, arguments, urls) }, statusCode: 200);
        }
        catch (CkanError e)
        {
            var error = e.Fields?.DeepClone().AsObject() ?? [];
            error["__type"] = e.Type;
            error["message"] = e.Message;
            return Results.Json(new JsonObject { ["help"] = help, ["success"] = false, ["error"] = error }, statusCode: e.Status);
        }
    }

    private static async Task<IReadOnlyDictionary<string, string>> ArgumentsAsync(HttpRequest request)
    {
        var arguments = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString());
        if (!HttpMethods.IsPost(request.Method)) return arguments;
        if (request.HasFormContentType)
        {
            foreach (var (key, value) in await request.ReadFormAsync(request.HttpContext.RequestAborted)) arguments[key] = value.ToString();
            return arguments;
        }
        try
        {
            var body = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            if (body is null) return arguments;
            if (body is not JsonObject o) throw new CkanError(400, "Bad request", "Bad request - JSON Error: Request data JSON decoded to a non-dictionary");
            foreach (var (key, value) in o)
                arguments[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? "";
        }
        catch (JsonException e) { throw new CkanError(400, "Bad request", $"Bad request - JSON Error: {e.Message}"); }
        return arguments;
    }

    private static JsonNode Search(CkanPackages packages, IReadOnlyDictionary<string, string> arguments, PublishedUrls urls)
    {
        Func<Core.Layers.LayerInfo, bool> matches;
        try { matches = CkanSearch.Parse(arguments.GetValueOrDefault("q"), arguments.GetValueOrDefault("fq"), packages); }
        catch (CkanSearch.QueryError e) { throw new CkanError(409, "Search Query Error", $"Search Query is invalid: {e.Message}"); }
        var found = packages.Layers.Where(matches).ToList();
        var rows = Integer(arguments, "rows", 10, 0, MaxRows);
        return new JsonObject
        {
            ["count"] = found.Count,
            ["sort"] = "name asc",
            ["facets"] = new JsonObject(),
            ["search_facets"] = new JsonObject(),
            ["results"] = new JsonArray([.. Page(found, arguments, rows, "rows", "start").Select(l => (JsonNode)packages.Package(l))]),
        };
    }

    private static JsonNode OrganisationList(CkanPackages packages, IReadOnlyDictionary<string, string> arguments, PublishedUrls urls)
    {
        var all = Flag(arguments, "all_fields");
        var organisations = Page(packages.Organisations(), arguments, int.MaxValue);
        return new JsonArray([.. organisations.Select(o => all ? CkanPackages.Organisation(o.Id, o.Title, o.Packages) : (JsonNode)o.Id)]);
    }

    private static JsonNode OrganisationShow(CkanPackages packages, IReadOnlyDictionary<string, string> arguments, PublishedUrls urls)
    {
        var id = Required(arguments, "id");
        var (orgId, title, _, count) = packages.Organisations().FirstOrDefault(o => o.Id == id);
        if (orgId is null) throw NotFound();
        var organisation = CkanPackages.Organisation(orgId, title, count);
        if (Flag(arguments, "include_datasets"))
            organisation["packages"] = new JsonArray([.. packages.Layers.Where(l => packages.OrganisationId(l) == id).Take(MaxRows).Select(l => (JsonNode)packages.Package(l))]);
        return organisation;
    }

    private static IEnumerable<T> Page<T>(IEnumerable<T> items, IReadOnlyDictionary<string, string> arguments, int defaultLimit, string limitName = "limit", string offsetName = "offset") =>
        items.Skip(Integer(arguments, offsetName, 0, 0, int.MaxValue)).Take(Integer(arguments, limitName, defaultLimit, 0, limitName == "rows" ? MaxRows : int.MaxValue));

    private static int Integer(IReadOnlyDictionary<string, string> arguments, string name, int fallback, int min, int max)
    {
        if (!arguments.TryGetValue(name, out var text) || text.Length == 0) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min)
            throw Validation(name, value < min && int.TryParse(text, out _) ? "Must be a natural number" : "Invalid integer");
        if (value > max) throw Validation(name, $"Must be less than or equal to {max}");
        return value;
    }

    private static bool Flag(IReadOnlyDictionary<string, string> arguments, string name) =>
        arguments.TryGetValue(name, out var text) && (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text is "1" or "True" or "yes");

    private static string Required(IReadOnlyDictionary<string, string> arguments, string name) =>
        arguments.TryGetValue(name, out var value) && value.Length > 0 ? value : throw Validation(name, "Missing value");

    private static CkanError Validation(string field, string message) =>
        new(409, "Validation Error", $"{field}: {message}", new JsonObject { [field] = new JsonArray(message) });

    private static CkanError NotFound() => new(404, "Not Found Error", "Not found");
}
