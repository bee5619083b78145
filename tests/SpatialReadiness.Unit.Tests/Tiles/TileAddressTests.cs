using SpatialReadiness.Core.Tiles;

namespace SpatialReadiness.Unit.Tests.Tiles;

/// <summary>Each tile has one address: a cache in front of the server keeps one copy per tile, not one per spelling.</summary>
public sealed class TileAddressTests
{
    [Theory]
    [InlineData("14", "11509", "7306.mvt", 14, 11509, 7306)]
    [InlineData("0", "0", "0.pbf", 0, 0, 0)]
    [InlineData("3", "7", "0", 3, 7, 0)]
    public void Whole_numbers_as_written_in_tile_urls_address_a_tile(string z, string x, string y, int zoom, int column, int row) =>
        Assert.Equal(new TileAddress(zoom, column, row), TileAddress.TryParse(z, x, y, out _));

    [Theory]
    [InlineData("014", "11509", "7306")]
    [InlineData("14", "011509", "7306")]
    [InlineData("+14", "11509", "7306")]
    [InlineData("14", " 11509", "7306")]
    [InlineData("14", "11509 ", "7306")]
    [InlineData("14", "11509", "07306.mvt")]
    [InlineData("14", "1_1509", "7306")]
    [InlineData("14", "", "7306")]
    [InlineData("14", "-0", "7306")]
    [InlineData("14", "١١٥٠٩", "7306")] // Arabic-Indic digits: int.Parse with the current culture's rules is not the rule here
    public void Any_other_spelling_of_an_address_is_refused_with_a_reason(string z, string x, string y)
    {
        Assert.Null(TileAddress.TryParse(z, x, y, out var problem));
        Assert.Contains("whole numbers", problem);
    }

    [Fact]
    public void Every_tile_of_a_zoom_reads_back_from_its_own_address_and_from_no_padded_one()
    {
        var random = new Random(20);
        for (var i = 0; i < 500; i++)
        {
            var z = random.Next(0, 17);
            var (x, y) = (random.Next(0, 1 << z), random.Next(0, 1 << z));
            Assert.Equal(new TileAddress(z, x, y), TileAddress.TryParse($"{z}", $"{x}", $"{y}.mvt", out _));
            Assert.Null(TileAddress.TryParse($"{z}", $"0{x}", $"{y}", out _));
        }
    }
}
