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
                ?? throw new InputException(InputError.Malformed, "usage: srd city add ID --name NAME [--state STATE] [--owner ORG]");
            var name = arguments.Required("name", "Pune");
            var state = arguments.Option("state");
            var owner = arguments.Option("owner");
            arguments.RejectUnknown();
            await using var dataSource = await Store.OpenAsync(cancellationToken);
            var city = await new LayerStore(dataSource).CreateCityAsync(id, name, state, cancellationToken, owner);
            output.WriteLine($"created city {city.Id} ({city.Name}){(owner is null ? "; no owner organisation: its layers imported without --owner are moderated by admins alone" : $", spoken for by {owner}")}");
            return 0;
        }
        if (action == "owner")
        {
            var usage = "usage: srd city owner CITY ORG  (the organisation that speaks for the city; it is given the city's unowned layers)";
            var id = arguments.Positional.ElementAtOrDefault(1) ?? throw new InputException(InputError.Malformed, usage);
            var owner = arguments.Positional.ElementAtOrDefault(2) ?? throw new InputException(InputError.Malformed, usage);
            arguments.RejectUnknown();
            await using var dataSource = await Store.OpenAsync(cancellationToken);
            var given = await new LayerStore(dataSource).SetCityOwnerAsync(id, owner, cancellationToken);
            output.WriteLine($"city {id} is spoken for by {owner}; {given} layer(s) no organisation owned are now {owner}'s");
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
        throw new InputException(InputError.Malformed, "usage: srd city add ID --name NAME [--state STATE] [--owner ORG] | srd city owner CITY ORG | srd city list");
    }
}
