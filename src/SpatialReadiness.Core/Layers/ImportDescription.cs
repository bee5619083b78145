using System.Globalization;
using SpatialReadiness.Core.Ingest;
using SpatialReadiness.Core.Publishing;

namespace SpatialReadiness.Core.Layers;

/// <summary>
/// The named inputs of an import as one front end receives them: HTTP form fields (<c>surveyDate</c>) or
/// <c>srd import</c> options (<c>--survey-date</c>). Names are given as <see cref="ImportDescription"/> spells them
/// (the form's camelCase); each front end maps them to its own spelling.
/// </summary>
public interface IImportInputs
{
    /// <summary>The value given for <paramref name="name"/>, or null when none (or an empty one) was given.</summary>
    string? Text(string name);

    /// <summary>Whether the switch <paramref name="name"/> is on.</summary>
    bool Switch(string name);

    /// <summary>How <paramref name="name"/> is written in this front end, for messages ("surveyDate", "--survey-date").</summary>
    string Spelled(string name);
}

/// <summary>Who brings the file and what it is: what an import knows besides its named inputs.</summary>
/// <param name="OrganisationDefault">The organisation and owner when none is named (the uploader's organisation; none from the CLI).</param>
public sealed record ImportOrigin(string City, string FileName, string Sha256, long Bytes, string ImportedBy, string? OrganisationDefault);

/// <summary>
/// The one description of an import, built from named inputs by the upload endpoint and by <c>srd import</c> alike
/// (same names, defaults and messages), and checked before anything is written: everything the inputs alone decide
/// here, the fields they name against the file's fields by <see cref="CheckFields"/> as soon as the reader knows them.
/// <see cref="Crs"/> is checked when the file is opened (Ingest resolves CRS names).
/// </summary>
public sealed record ImportDescription(LayerImport Layer, string? Crs, string? Encoding, bool SwapXY, string? Sublayer)
{
    /// <summary>The input names, as the form spells them.</summary>
    public static readonly IReadOnlyList<string> InputNames =
    [
        "name", "kind", "title", "licence", "organisation", "description", "source", "custodian", "surveyDate", "sensitive",
        "sensitiveFields", "editable", "map", "owner", "updateFrequency", "crs", "encoding", "swapXY", "sublayer",
    ];

    public static ImportDescription From(IImportInputs inputs, ImportOrigin origin)
    {
        string Required(string name, string example) => inputs.Text(name)
            ?? throw new InputException(InputError.Malformed, $"{inputs.Spelled(name)} is required (e.g. {inputs.Spelled(name)}={example}).");

        var kindText = Required("kind", "ward");
        if (!LayerKinds.TryParse(kindText, out var kind))
            throw new InputException(InputError.Malformed, $"{inputs.Spelled("kind")} '{kindText}' is not a layer kind; use one of {LayerKinds.Names}.");
        var name = inputs.Text("name") ?? Names.LayerNameFromFile(origin.FileName);
        CheckName(name);
        var licence = Required("licence", "\"CC BY 4.0\"");
        DateOnly? surveyDate = inputs.Text("surveyDate") is { } text
            ? DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
                : throw new InputException(InputError.Malformed, $"{inputs.Spelled("surveyDate")} '{text}' is not a date; use YYYY-MM-DD.")
            : null;
        var layer = new LayerImport(
            City: origin.City,
            Name: name,
            Kind: kind,
            Title: inputs.Text("title") ?? Path.GetFileNameWithoutExtension(origin.FileName),
            Licence: licence,
            SourceFile: origin.FileName,
            SourceSha256: origin.Sha256,
            SourceBytes: origin.Bytes,
            ImportedBy: origin.ImportedBy,
            Organisation: inputs.Text("organisation") ?? origin.OrganisationDefault,
            Description: inputs.Text("description"),
            Source: inputs.Text("source"),
            Custodian: inputs.Text("custodian"),
            SurveyDate: surveyDate,
            Sensitive: inputs.Switch("sensitive"),
            SensitiveFields: Names.FieldList(inputs.Text("sensitiveFields")),
            Editable: inputs.Switch("editable"),
            FieldMap: FieldMapping.Parse(inputs.Text("map"), LayerSchema.For(kind)),
            Owner: inputs.Text("owner") ?? origin.OrganisationDefault,
            UpdateFrequency: UpdateFrequencies.Normalise(inputs.Text("updateFrequency"), inputs.Spelled("updateFrequency")));
        return new ImportDescription(layer, inputs.Text("crs"), inputs.Text("encoding"), inputs.Switch("swapXY"), inputs.Text("sublayer"));
    }

    /// <summary>A layer name appears in URLs; the store refuses any other too.</summary>
    public static void CheckName(string name)
    {
        if (!Names.IsLayerName(name))
            throw new InputException(InputError.Unprocessable, $"layer name '{name}' is not allowed: use 1-63 lower-case letters, digits, '_' and '-'.");
    }

    /// <summary>
    /// What is refused before the import job row or any write: the layer name, and the fields the import names when
    /// the file's header tells its fields. Called by the import itself and, before answering 202, by an upload that
    /// asks to be imported in the background (whose refusal would otherwise reach nobody).
    /// </summary>
    public static void CheckBeforeWriting(LayerImport request, IFeatureStream stream)
    {
        CheckName(request.Name);
        if (stream.FieldsBeforeReading is { } fields) CheckFields(request, fields);
    }

    /// <summary>
    /// The file's fields hold every field the import names: the sources of its field map and its sensitive fields.
    /// Called as soon as the reader knows the fields (from the header where the format has one, else after the last feature).
    /// </summary>
    public static void CheckFields(LayerImport request, IReadOnlyCollection<string> fields)
    {
        foreach (var (canonical, source) in request.FieldMap ?? new Dictionary<string, string>())
            if (!fields.Contains(source))
                throw new InputException(InputError.Unprocessable,
                    $"the field map says {canonical}={source}, but the file has no field '{source}' (its fields: {string.Join(", ", fields)}).");
        foreach (var field in request.SensitiveFields ?? [])
            if (!fields.Contains(field))
                throw new InputException(InputError.Unprocessable,
                    $"'{field}' is marked sensitive, but the file has no such field (its fields: {string.Join(", ", fields)}).");
    }
}
