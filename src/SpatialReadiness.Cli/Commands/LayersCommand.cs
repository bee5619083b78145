using System.Globalization;
using SpatialReadiness.PostGis.Layers;

namespace SpatialReadiness.Cli.Commands;

internal static class LayersCommand
{
    public static async Task<int> RunAsync(Arguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        var city = arguments.Required("city", "pune");
        arguments.RejectUnknown();
        await using var dataSource = await Store.OpenAsync(cancellationToken);
        foreach (var layer in await new LayerStore(dataSource).ListLayersAsync(city, cancellationToken))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{layer.Id,5} {layer.Kind,-8} {layer.Name,-28} v{layer.Version} {layer.FeatureCount,9:N0} features ({layer.InvalidGeometryCount} invalid)  {layer.Format}, {layer.CrsReceived}, {layer.Licence}, from {layer.Provenance.SourceFile} by {layer.Provenance.ImportedBy}"));
        return 0;
    }
}
