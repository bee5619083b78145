using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Publishing;

namespace SpatialReadiness.Checks.Tests.Publishing;

/// <summary>Due dates for every frequency at any moment, and licences recognised however they are written.</summary>
public sealed class SchedulesAndLicencesTests
{
    private static LayerInfo Layer(string? frequency, DateTimeOffset updated) =>
        new(1, "pune", "wards", "ward", "Wards", null, "CC BY 4.0", null, null, null, false, 1, "GeoJSON", "EPSG:4326", 1, 0, 0, [],
            new Dictionary<string, string>(), [], null,
            new LayerProvenance(1, "w.geojson", new string('a', 64), 1, "GeoJSON", "EPSG:4326", 1, "CC BY 4.0", "t", null, updated), updated, updated)
        { UpdateFrequency = frequency, ContentUpdatedAt = updated };

    public static TheoryData<string, int> Periods => new()
    {
        { "daily", 1 }, { "weekly", 7 }, { "monthly", 28 }, { "quarterly", 89 }, { "biannual", 181 }, { "annual", 365 },
    };

    [Theory]
    [MemberData(nameof(Periods))]
    public void A_layer_is_on_schedule_until_its_period_has_passed_and_overdue_after(string frequency, int minimumDays)
    {
        var random = new Random(frequency.GetHashCode(StringComparison.Ordinal));
        for (var i = 0; i < 200; i++)
        {
            var updated = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(0, 3_000_000));
            var schedule = LayerSchedule.Of(Layer(frequency, updated), updated);
            var due = schedule.NextDue!.Value;
            Assert.InRange((due - updated).TotalDays, minimumDays, minimumDays + 3);
            Assert.False(LayerSchedule.Of(Layer(frequency, updated), due).Overdue);
            Assert.True(LayerSchedule.Of(Layer(frequency, updated), due.AddSeconds(1)).Overdue);
            Assert.StartsWith(frequency + ":", LayerSchedule.Of(Layer(frequency, updated), due.AddDays(1)).Basis);
        }
    }

    [Fact]
    public void Irregular_and_undeclared_layers_are_never_overdue()
    {
        var then = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Null(LayerSchedule.Of(Layer("irregular", then), DateTimeOffset.UtcNow).NextDue);
        Assert.True(LayerSchedule.Of(Layer("irregular", then), DateTimeOffset.UtcNow).HasSchedule);
        Assert.False(LayerSchedule.Of(Layer(null, then), DateTimeOffset.UtcNow).HasSchedule);
        Assert.False(LayerSchedule.Of(Layer(null, then), DateTimeOffset.UtcNow).Overdue);
    }

    [Fact]
    public void Every_frequency_has_an_EU_vocabulary_URI_and_parses_back_from_its_name()
    {
        foreach (var frequency in Enum.GetValues<UpdateFrequency>())
        {
            Assert.StartsWith("http://publications.europa.eu/resource/authority/frequency/", frequency.EuUri());
            Assert.True(UpdateFrequencies.TryParse(frequency.ToName().ToUpperInvariant(), out var parsed));
            Assert.Equal(frequency, parsed);
        }
        Assert.False(UpdateFrequencies.TryParse("3", out _));
        Assert.Throws<Core.Ingest.InputException>(() => UpdateFrequencies.Normalise("hourly", "updateFrequency"));
    }

    [Theory]
    [InlineData("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")]
    [InlineData("cc-by-4.0", "https://creativecommons.org/licenses/by/4.0/")]
    [InlineData("CC BY-SA 2.5 IN", "https://creativecommons.org/licenses/by-sa/2.5/in/")]
    [InlineData("ODbL", "https://opendatacommons.org/licenses/odbl/1-0/")]
    [InlineData("Open Database License", "https://opendatacommons.org/licenses/odbl/1-0/")]
    [InlineData("Government Open Data License - India", "https://data.gov.in/government-open-data-license-india")]
    [InlineData("GODL", "https://data.gov.in/government-open-data-license-india")]
    [InlineData("https://creativecommons.org/licenses/by/4.0", "https://creativecommons.org/licenses/by/4.0/")]
    public void Known_licences_are_recognised_however_they_are_written(string text, string uri) =>
        Assert.Equal(uri, Licences.Recognise(text)?.Uri);

    [Theory]
    [InlineData("CC BY-SA 4.0 IN")]
    [InlineData("ask the ward office")]
    [InlineData("")]
    public void Anything_else_stays_text(string text) => Assert.Null(Licences.Recognise(text));
}
