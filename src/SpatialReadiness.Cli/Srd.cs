using Npgsql;
using SpatialReadiness.Cli.Commands;
using SpatialReadiness.Core.Ingest;

namespace SpatialReadiness.Cli;

/// <summary>The srd command: parses the verb, runs it, and turns errors into one line and an exit code.</summary>
public static class Srd
{
    public const int ExitBadInput = 2;
    public const int ExitFailure = 1;

    public const string Usage = """
        usage: srd <command> [options]
          db start | migrate | status | stop     the database (embedded PostGIS under .data/pg unless SR_PG is set)
          city add ID --name NAME [--state S] [--owner ORG]   create a city (ORG speaks for it: owns layers imported without --owner)
          city owner CITY ORG                    make ORG speak for the city; it is given the city's unowned layers
          city list                              list cities
          import FILE --city C --kind K --licence L [--name N] [--title T] [--source S] [--custodian C]
                 [--survey-date YYYY-MM-DD] [--crs EPSG:N] [--encoding E] [--swap-xy] [--sublayer NAME]
                 [--sensitive] [--sensitive-fields "head_name,phone"] [--editable] [--owner ORG] [--by USER] [--organisation ORG] [--description TEXT]
                 [--map "ward_no=Ward Num,ward_name=NAME"]   canonical=own field (layers/schemas)
                 [--no-tile-fill]   leave the tile geometry of zooms 6-14 to the server's background fill
                 [--update-frequency daily|weekly|monthly|quarterly|biannual|annual|irregular]
                                                 import a layer file (kinds: ward|slum|asset|boundary|exclusion|building|other)
          layers --city C                        list a city's layers with provenance
          check --city C [--html FILE] [--if-stale] [--by USER]
                                                 run the DMAF 4.e readiness check and print the score
          users add | role | password | key | revoke | disable | enable | list | init-admin
                                                 accounts and API keys ('srd users' alone shows how)
          orgs add ID --name NAME --kind city|ngo|other | orgs list
                                                 organisations: users belong to them, they own layers
          demo [--dir DIR]                       generate the demo city and load it (idempotent)
          demo --synthetic --city ID [--wards N] [--slums N] [--assets N] [--buildings N] [--dir DIR] [--files-only]
                                                 generate a large synthetic city (300 / 3000 / 1000000 / 2000) and load it
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var arguments = Arguments.Parse(args);
            return arguments.Verb switch
            {
                "db" => await DbCommand.RunAsync(arguments, output, cancel.Token),
                "city" => await CityCommand.RunAsync(arguments, output, cancel.Token),
                "import" => await ImportCommand.RunAsync(arguments, output, errors, cancel.Token),
                "layers" => await LayersCommand.RunAsync(arguments, output, cancel.Token),
                "check" => await CheckCommand.RunAsync(arguments, output, errors, cancel.Token),
                "users" => await UsersCommand.RunAsync(arguments, output, cancel.Token),
                "orgs" => await OrgsCommand.RunAsync(arguments, output, cancel.Token),
                "demo" => await DemoCommand.RunAsync(arguments, output, errors, cancel.Token),
                null or "help" or "--help" or "-h" => Help(output),
                _ => throw new InputException(InputError.Malformed, $"unknown command '{arguments.Verb}'; run 'srd help'."),
            };
        }
        catch (InputException e)
        {
            await errors.WriteLineAsync($"srd: {e.Message}");
            return ExitBadInput;
        }
        catch (OperationCanceledException)
        {
            await errors.WriteLineAsync("srd: cancelled; nothing was stored.");
            return ExitFailure;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
        {
            await errors.WriteLineAsync($"srd: {e.Message}");
            return ExitFailure;
        }
        catch (Exception e)
        {
            await errors.WriteLineAsync($"srd: internal error ({e.GetType().Name}): {e.Message}; please report it with the command you ran.");
            return ExitFailure;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static int Help(TextWriter output)
    {
        output.WriteLine(Usage);
        return 0;
    }
}
