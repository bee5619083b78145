using SpatialReadiness.Core.Accounts;
using SpatialReadiness.PostGis.Accounts;

namespace SpatialReadiness.Cli.Commands;

/// <summary>srd orgs add ID --name NAME --kind city|ngo|other | srd orgs list: the organisations users belong to and layers are owned by.</summary>
internal static class OrgsCommand
{
    private const string Usage = "usage: srd orgs add ID --name NAME --kind city|ngo|other | srd orgs list";

    public static async Task<int> RunAsync(Arguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        switch (arguments.Positional.FirstOrDefault())
        {
            case "add":
            {
                var id = arguments.Positional.ElementAtOrDefault(1) ?? throw new InputException(InputError.Malformed, Usage);
                var name = arguments.Required("name", "\"PMC GIS cell\"");
                var kind = arguments.Required("kind", "city");
                arguments.RejectUnknown();
                await using var dataSource = await Store.OpenAsync(cancellationToken);
                var organisation = await new AccountStore(dataSource).CreateOrganisationAsync(id, name, kind, cancellationToken);
                output.WriteLine($"created organisation {organisation.Id} ({organisation.Name}, {organisation.Kind})");
                return 0;
            }
            case "list":
            {
                arguments.RejectUnknown();
                await using var dataSource = await Store.OpenAsync(cancellationToken);
                foreach (var organisation in await new AccountStore(dataSource).ListOrganisationsAsync(cancellationToken))
                    output.WriteLine($"{organisation.Id,-20} {organisation.Kind,-6} {organisation.Name}");
                return 0;
            }
            default:
                throw new InputException(InputError.Malformed, Usage);
        }
    }
}
