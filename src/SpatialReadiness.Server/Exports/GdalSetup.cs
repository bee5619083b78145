using SpatialReadiness.Ingest;

namespace SpatialReadiness.Server.Exports;

/// <summary>
/// The bounds of this server's GDAL runs (imports of GDAL-only formats, Shapefile and GeoPackage downloads):
/// SR_GDAL_PROCESSES at once (default: the number of cores, at least 2), of which anonymous downloads may hold
/// SR_GDAL_ANONYMOUS (default 1, the smallest share); each killed after SR_GDAL_TIMEOUT_S seconds (default 300).
/// GDAL's own error output goes to the log ("Gdal"), never to the client.
/// </summary>
public static class GdalSetup
{
    public static void UseGdalLimits(this WebApplication app)
    {
        var configuration = app.Configuration;
        var processes = configuration.GetValue("SR_GDAL_PROCESSES", Math.Max(2, Environment.ProcessorCount));
        var anonymous = configuration.GetValue("SR_GDAL_ANONYMOUS", 1);
        var timeout = configuration.GetValue("SR_GDAL_TIMEOUT_S", 300);
        if (processes <= 0 || anonymous <= 0 || timeout <= 0)
            throw new InvalidOperationException("SR_GDAL_PROCESSES, SR_GDAL_ANONYMOUS and SR_GDAL_TIMEOUT_S must be positive whole numbers.");
        Ogr2Ogr.Limits = new GdalLimits(processes, Math.Min(anonymous, processes), TimeSpan.FromSeconds(timeout));
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gdal");
        Ogr2Ogr.Log = message => log.LogWarning("{Message}", message);
    }
}
