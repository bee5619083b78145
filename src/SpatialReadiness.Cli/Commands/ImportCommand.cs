using System.Globalization;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Ingest;
using SpatialReadiness.PostGis.Accounts;
using SpatialReadiness.PostGis.Layers;

namespace SpatialReadiness.Cli.Commands;

internal static class ImportCommand
{
    private const int ProgressEvery = 10_000;

    public static async Task<int> RunAsync(Arguments arguments, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var path = arguments.Positional.FirstOrDefault()
            ?? throw new InputException(InputError.Malformed, "usage: srd import FILE --city C --kind K --licence L (run 'srd help')");
        if (!File.Exists(path)) throw new InputException(InputError.NotFound, $"file '{path}' does not exist.");
        var city = arguments.Required("city", "pune");
        var described = ImportDescription.From(new OptionInputs(arguments),
            new ImportOrigin(city, Path.GetFileName(path), await FileHash.Sha256Async(path, cancellationToken), new FileInfo(path).Length,
                arguments.Option("by") ?? Environment.UserName, OrganisationDefault: null));
        var request = described.Layer;
        var options = new IngestOptions(described.Crs, described.Encoding, described.SwapXY, described.Sublayer);
        var fillTiles = !arguments.Flag("no-tile-fill");
        arguments.RejectUnknown();

        await using var dataSource = await Store.OpenAsync(cancellationToken);
        if (request.Owner is { } owner && await new AccountStore(dataSource).GetOrganisationAsync(owner, cancellationToken) is null)
            throw new InputException(InputError.NotFound, $"organisation '{owner}' does not exist; srd orgs list shows them.");
        var layer = await ImportFileAsync(new LayerStore(dataSource), path, request, options, errors, cancellationToken);
        if (fillTiles) await FillTileGeometryAsync(dataSource, layer, errors, cancellationToken);
        else errors.WriteLine("tile geometry for zooms 6-14 left to the server's background fill (tiles are made live until then)");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"imported {layer.FeatureCount:N0} features into {layer.City}/{layer.Name} v{layer.Version} (layer {layer.Id}; {layer.Format}, {layer.CrsReceived}; {layer.InvalidGeometryCount} invalid geometries kept as received)"));
        return 0;
    }

    public static async Task<LayerInfo> ImportFileAsync(LayerStore store, string path, LayerImport request, IngestOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        using var file = LayerFile.Open(path, path, options);
        var interactive = !Console.IsErrorRedirected;
        var shown = false;
        var started = TimeProvider.System.GetTimestamp();
        var layer = await store.ImportAsync(request, file, progress: read =>
        {
            if (read % ProgressEvery != 0) return; // small layers finish before progress is worth showing
            shown = true;
            progress.Write(string.Create(CultureInfo.InvariantCulture, $"{(interactive ? "\r" : "")}  {read:N0} features read{(interactive ? "" : "\n")}"));
        }, cancellationToken: cancellationToken);
        if (interactive && shown) progress.WriteLine();
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{request.City}/{request.Name} v{layer.Version} committed in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.00} s"));
        return layer;
    }

    /// <summary>
    /// After the commit, the layer's stored tile geometry (zooms 6-14) on every core: the layer is already served, its
    /// tiles made live until this is done (PostGis/Tiles/TileGeometryFill).
    /// </summary>
    public static async Task FillTileGeometryAsync(Npgsql.NpgsqlDataSource dataSource, LayerInfo layer, TextWriter progress, CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetTimestamp();
        var filled = await new PostGis.Tiles.TileGeometryFill(dataSource).FillAsync(layer.Id, Environment.ProcessorCount, null, cancellationToken);
        if (filled is > 0)
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"tile geometry for zooms 6-14: {filled:N0} features filled in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0} s"));
    }

    /// <summary>The command's options as the inputs of the one import description: "surveyDate" is --survey-date.</summary>
    private sealed class OptionInputs(Arguments arguments) : IImportInputs
    {
        public string? Text(string name) => arguments.Option(Option(name)) is { Length: > 0 } value ? value : null;

        public bool Switch(string name) => arguments.Flag(Option(name));

        public string Spelled(string name) => "--" + Option(name);

        private static string Option(string name) =>
            string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 && char.IsLower(name[i - 1]) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
    }
}
