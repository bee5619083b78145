using System.Globalization;
using SpatialReadiness.Checks.Schemas;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.Core.Publishing;
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
        var kindText = arguments.Required("kind", "ward");
        if (!LayerKinds.TryParse(kindText, out var kind))
            throw new InputException(InputError.Malformed, $"--kind '{kindText}' is not a layer kind; use one of {LayerKinds.Names}.");
        var name = arguments.Option("name") ?? Names.LayerNameFromFile(path);
        var request = new LayerImport(
            City: arguments.Required("city", "pune"),
            Name: name,
            Kind: kind,
            Title: arguments.Option("title") ?? Path.GetFileNameWithoutExtension(path),
            Licence: arguments.Required("licence", "\"CC BY 4.0\""),
            SourceFile: Path.GetFileName(path),
            SourceSha256: await FileHash.Sha256Async(path, cancellationToken),
            SourceBytes: new FileInfo(path).Length,
            ImportedBy: arguments.Option("by") ?? Environment.UserName,
            Organisation: arguments.Option("organisation"),
            Description: arguments.Option("description"),
            Source: arguments.Option("source"),
            Custodian: arguments.Option("custodian"),
            SurveyDate: ParseDate(arguments.Option("survey-date")),
            Sensitive: arguments.Flag("sensitive"),
            SensitiveFields: Names.FieldList(arguments.Option("sensitive-fields")),
            Editable: arguments.Flag("editable"),
            FieldMap: FieldMapping.Parse(arguments.Option("map"), LayerSchema.For(kind)),
            Owner: arguments.Option("owner"),
            UpdateFrequency: UpdateFrequencies.Normalise(arguments.Option("update-frequency"), "--update-frequency"));
        var options = new IngestOptions(arguments.Option("crs"), arguments.Option("encoding"), arguments.Flag("swap-xy"), arguments.Option("sublayer"));
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

    private static DateOnly? ParseDate(string? text) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
        : throw new InputException(InputError.Malformed, $"--survey-date '{text}' is not a date; use YYYY-MM-DD.");
}
