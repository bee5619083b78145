using SpatialReadiness.Ingest.Crs;

namespace SpatialReadiness.Ingest.Tests.Crs;

public sealed class CrsTests
{
    // Pune's Shaniwar Wada, and what PROJ 9.1 (cs2cs) gives for it in each CRS.
    private const double Lon = 73.8553, Lat = 18.5195;
    private const double X7755 = 3361151.564, Y7755 = 3418046.379, X24381 = 2095431.665, Y24381 = 872485.690;

    [Theory]
    [InlineData("EPSG:3857", 8221534.39, 2098445.69)]
    [InlineData("EPSG:32643", 379172.39, 2048045.97)]
    [InlineData("EPSG:32644", -255685.39, 2062683.30)]
    [InlineData("EPSG:7755", X7755, Y7755)]
    [InlineData("EPSG:24381", X24381, Y24381)]
    public void Known_CRSs_reproject_to_the_same_place_as_PROJ(string code, double x, double y)
    {
        var (lon, lat) = new Reprojection(CrsRegistry.Parse(code)).ToLonLat(x, y);
        Assert.Equal(Lon, lon, 0.00001);
        Assert.Equal(Lat, lat, 0.00001);
    }

    [Fact]
    public void The_one_parallel_Lambert_zones_become_an_identical_two_parallel_cone()
    {
        // EPSG:24381 (India zone IIIa): lat0 26, k0 0.99878641 on Everest 1830 (1975).
        var (south, north) = Lcc1SpAs2Sp.StandardParallels(26, 0.99878641, 300.8017255);
        Assert.True(south is > 21 and < 26, $"south {south}");
        Assert.True(north is > 26 and < 31, $"north {north}");
    }

    [Theory]
    [InlineData("urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326")]
    [InlineData("urn:ogc:def:crs:EPSG::32643", "EPSG:32643")]
    [InlineData("EPSG:4979", "EPSG:4326")]
    [InlineData("7755", "EPSG:7755")]
    public void CRS_names_from_files_and_users_are_understood(string given, string label) =>
        Assert.Equal(label, CrsRegistry.Parse(given).Label);

    [Fact]
    public void An_ESRI_prj_for_WGS_84_is_recognised_as_EPSG_4326()
    {
        const string esri = "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137,298.257223563]],PRIMEM[\"Greenwich\",0],UNIT[\"Degree\",0.017453292519943295]]";
        Assert.Equal("EPSG:4326", CrsRegistry.FromWkt(esri).Label);
    }

    [Fact]
    public void An_unsupported_EPSG_code_says_what_is_supported()
    {
        var e = Assert.Throws<InputException>(() => CrsRegistry.Parse("EPSG:2154"));
        Assert.Contains("EPSG:32643", e.Message);
        Assert.Contains("ogr2ogr", e.Message);
    }

    [Fact]
    public void Hints_name_the_reading_that_puts_a_point_in_India()
    {
        Assert.Contains("--crs EPSG:3857", CrsHints.Suggest(8221534.39, 2098445.69, CrsRegistry.Wgs84));
        Assert.Contains("swapped", CrsHints.Suggest(Lat, Lon, CrsRegistry.Wgs84));
        Assert.Contains("no supported CRS", CrsHints.Suggest(2.35, 48.85, CrsRegistry.Wgs84));
    }
}
