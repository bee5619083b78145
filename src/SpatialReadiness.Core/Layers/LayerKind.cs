namespace SpatialReadiness.Core.Layers;

/// <summary>What a layer describes; drives its canonical schema, its checks and its style.</summary>
public enum LayerKind
{
    Ward,
    Slum,
    Asset,
    Boundary,
    /// <summary>Land the city declares outside ward administration (cantonment, airport, lake), each with a reason: holes in the ward coverage it covers are not gaps.</summary>
    Exclusion,
    /// <summary>Building footprints (property-tax surveys, open footprint data): one polygon per structure, with its ward.</summary>
    Building,
    Other,
}

public static class LayerKinds
{
    public static string ToName(this LayerKind kind) => kind.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out LayerKind kind)
    {
        kind = LayerKind.Other;
        return text is not null
            && Enum.TryParse(text, ignoreCase: true, out kind)
            && Enum.IsDefined(kind)
            && !int.TryParse(text, out _);
    }

    public static string Names => string.Join("|", Enum.GetValues<LayerKind>().Select(ToName));
}
