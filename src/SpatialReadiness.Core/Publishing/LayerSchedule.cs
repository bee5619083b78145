using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Core.Publishing;

/// <summary>
/// A layer's update schedule as of a moment: its frequency (null when none is declared), when its content last changed
/// (the newest import or accepted edit), when the next version is due, and whether it is overdue.
/// </summary>
public sealed record LayerSchedule(
    long LayerId, string City, string Layer, string Kind, string Title, string? UpdateFrequency, DateTimeOffset LastUpdated,
    DateTimeOffset? NextDue, bool Overdue, string Basis)
{
    public bool HasSchedule => UpdateFrequency is not null;

    public static LayerSchedule Of(LayerInfo layer, DateTimeOffset asOf)
    {
        var last = layer.ContentUpdatedAt ?? layer.UpdatedAt;
        if (!UpdateFrequencies.TryParse(layer.UpdateFrequency, out var frequency) || layer.UpdateFrequency is null)
            return new(layer.Id, layer.City, layer.Name, layer.Kind, layer.Title, null, last, null, false,
                $"no update frequency declared; last updated {last:yyyy-MM-dd}");
        var due = frequency.NextDue(last);
        var overdue = due is { } d && d < asOf;
        var basis = due is null ? $"{frequency.ToName()}: no due date; last updated {last:yyyy-MM-dd}"
            : $"{frequency.ToName()}: last updated {last:yyyy-MM-dd}, next due {due:yyyy-MM-dd}" + (overdue ? $", overdue by {(asOf - due.Value).Days} days" : ", on schedule");
        return new(layer.Id, layer.City, layer.Name, layer.Kind, layer.Title, frequency.ToName(), last, due, overdue, basis);
    }
}
