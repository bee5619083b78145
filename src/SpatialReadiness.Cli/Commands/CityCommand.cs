using SpatialReadiness.Core.Ingest;
using SpatialReadiness.PostGis.Layers;

namespace SpatialReadiness.Cli.Commands;

internal static class CityCommand
{
    public static async Task<int> RunAsync(Arguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        var action = arguments.Positional.FirstOrDefault();
        if (action == "add")
        {
            var id = arguments.Positional.ElementAtOrDefault(1)
                ?? throw new InputException(InputError.Malformed, "usage: srd city add ID --name NAME [--state STATE]");
            var name = arguments.Required("name", "Pune");
            var state = arguments.Option("state");
            arguments.RejectUnknown();
            await using var dataSource = await Store.OpenAsync(cancellationToken);
            var city = await new LayerStore(dataSource).CreateCityAsync(id, name, state, cancellationToken);
            output.WriteLine($"created city {city.Id} ({city.Name})");
            return 0;
        }
        if (action == "list")
        {
            arguments.RejectUnknown();
            await using var dataSource = await Store.OpenAsync(cancellationToken);
            foreach (var city in await new LayerStore(dataSource).ListCitiesAsync(cancellationToken))
                output.WriteLine($"{city.Id,-16} {city.Name,-28} {city.LayerCount,3} layers{(city.HasBoundary ? "" : "  (no boundary yet)")}");
            return 0;
        }
        throw new InputException(InputError.Malformed, "usage: srd city add ID --name NAME [--state STATE] | srd city list");
    }
}
