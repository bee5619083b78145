namespace SpatialReadiness.Server.Viewer;

/// <summary>
/// The web map's settings: an XYZ raster basemap for deployments that have a tile service (SR_BASEMAP_URL or
/// Viewer:BasemapUrl, with {z}, {x} and {y}; SR_BASEMAP_ATTRIBUTION or Viewer:BasemapAttribution). Without one the
/// viewer draws its offline basemap: a plain background and the city boundary.
/// </summary>
public sealed record ViewerOptions(string? BasemapUrl, string? BasemapAttribution)
{
    public static ViewerOptions Bind(IConfiguration configuration)
    {
        static string? Setting(IConfiguration c, string env, string key) => c[env] is { Length: > 0 } value ? value : c[key] is { Length: > 0 } v ? v : null;
        var url = Setting(configuration, "SR_BASEMAP_URL", "Viewer:BasemapUrl");
        if (url is not null && (!Uri.TryCreate(url.Replace("{", "").Replace("}", ""), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                                || !url.Contains("{z}") || !url.Contains("{x}") || !url.Contains("{y}")))
            throw new InvalidOperationException($"SR_BASEMAP_URL '{url}' is not an http(s) XYZ tile URL with {{z}}, {{x}} and {{y}} (e.g. https://tiles.example/{{z}}/{{x}}/{{y}}.png).");
        return new ViewerOptions(url, Setting(configuration, "SR_BASEMAP_ATTRIBUTION", "Viewer:BasemapAttribution"));
    }
}
