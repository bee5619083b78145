using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Csdl;
using Microsoft.OData.Edm.Vocabularies;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Feeds;

namespace SpatialReadiness.Server.OData;

/// <summary>
/// The OData model of one reader: Cities, Layers, Findings and ReadinessScores as flat records; Wards, Slums and Assets
/// typed from the canonical schemas (layers/schemas), whatever each layer calls its fields; Features for any layer,
/// its attributes as open properties; and one typed entity set per layer the reader may read (<see cref="LayerSet"/>),
/// whose columns Power BI and Excel can show. Geometry goes out as text (WKT, GeoJSON) with centroid, area and bbox
/// columns, which is what Excel and Power BI can use; Edm spatial types are left out on purpose (no client of ours
/// reads them, and ASP.NET Core OData cannot bind them to NetTopologySuite).
/// </summary>
public static class ODataModel
{
    public const string Namespace = "SpatialReadiness";

    /// <summary>Properties every feature set has, before its own fields.</summary>
    public static readonly IReadOnlyList<(string Name, EdmPrimitiveTypeKind Type)> FeatureColumns =
    [
        ("Id", EdmPrimitiveTypeKind.Int64), ("City", EdmPrimitiveTypeKind.String), ("Layer", EdmPrimitiveTypeKind.String),
        ("LayerId", EdmPrimitiveTypeKind.Int64),
    ];

    /// <summary>Geometry as columns, after the fields.</summary>
    public static readonly IReadOnlyList<(string Name, EdmPrimitiveTypeKind Type)> GeometryColumns =
    [
        ("Wkt", EdmPrimitiveTypeKind.String), ("GeoJson", EdmPrimitiveTypeKind.String),
        ("CentroidLon", EdmPrimitiveTypeKind.Double), ("CentroidLat", EdmPrimitiveTypeKind.Double), ("AreaM2", EdmPrimitiveTypeKind.Double),
        ("MinLon", EdmPrimitiveTypeKind.Double), ("MinLat", EdmPrimitiveTypeKind.Double), ("MaxLon", EdmPrimitiveTypeKind.Double), ("MaxLat", EdmPrimitiveTypeKind.Double),
    ];

    /// <summary>Typed feature sets: entity set name, entity type name, layer kind.</summary>
    public static readonly IReadOnlyList<(string Set, string Type, LayerKind Kind)> TypedSets =
    [
        ("Wards", "Ward", LayerKind.Ward), ("Slums", "Slum", LayerKind.Slum), ("Assets", "Asset", LayerKind.Asset),
    ];

    public const string FeatureSet = "Features";

    public const string LocationProperty = "Location";

    /// <summary>The properties made from a feature's measures (GeometryOutput.Measures): centroid, area, bounding box, Location.</summary>
    public static readonly string[] MeasureProperties = ["CentroidLon", "CentroidLat", "AreaM2", "MinLon", "MinLat", "MaxLon", "MaxLat", LocationProperty];

    /// <summary>A canonical set's fields as the schema types them: integer fields as Integer, everything else as Text.</summary>
    public static IReadOnlyList<TypedField> CanonicalFields(LayerKind kind) =>
        LayerSchema.For(kind)!.Fields.Select(f => new TypedField(f.Name, f.Name, f.Type == "integer" ? FieldType.Integer : FieldType.Text)).ToList();

    /// <summary>The model with the fixed sets and one set per layer in <paramref name="layerSets"/>.</summary>
    public static IEdmModel Build(IEnumerable<LayerSet> layerSets)
    {
        var model = new EdmModel();
        var container = model.AddEntityContainer(Namespace, "Container");
        foreach (var set in RecordSet.All)
        {
            var type = new EdmEntityType(Namespace, set.Name == "Cities" ? "City" : set.Name[..^1]);
            foreach (var (name, kind) in set.Properties)
            {
                var property = type.AddStructuralProperty(name, Primitive(kind), isNullable: name != set.Key);
                if (name == set.Key) type.AddKeys(property);
            }
            model.AddElement(type);
            container.AddEntitySet(set.Name, type);
        }
        foreach (var (setName, typeName, kind) in TypedSets)
            AddTypedSet(model, container, setName, typeName, FeatureColumns, CanonicalFields(kind));
        var feature = FeatureType("Feature", FeatureColumns, isOpen: true);
        feature.AddStructuralProperty("Kind", EdmPrimitiveTypeKind.String);
        AddGeometry(feature);
        model.AddElement(feature);
        container.AddEntitySet(FeatureSet, feature);
        foreach (var layer in layerSets)
            AddTypedSet(model, container, layer.Name, layer.Name, [FeatureColumns[0]], layer.Fields);
        DeclareAggregation(model, container);
        return model;
    }

    /// <summary>
    /// Org.OData.Aggregation.V1.ApplySupported on the container: what Power Query reads from $metadata before it folds a
    /// "Group By" into $apply (ODataAggregation answers it).
    /// </summary>
    private static void DeclareAggregation(EdmModel model, EdmEntityContainer container)
    {
        const string vocabulary = "Org.OData.Aggregation.V1";
        var reference = new EdmReference(new Uri("https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData.Aggregation.V1.xml"));
        reference.AddInclude(new EdmInclude("Aggregation", vocabulary));
        model.SetEdmReferences([reference]);
        // The vocabulary's own type, referenced and not redeclared here.
        var type = new EdmComplexType(vocabulary, "ApplySupportedType");
        type.AddStructuralProperty("Transformations", EdmCoreModel.GetCollection(EdmCoreModel.Instance.GetString(isNullable: false)));
        var term = new EdmTerm(vocabulary, "ApplySupported", new EdmComplexTypeReference(type, isNullable: true));
        var transformations = new EdmCollectionExpression(new[] { "filter", "groupby", "aggregate" }.Select(t => (IEdmExpression)new EdmStringConstant(t)));
        var annotation = new EdmVocabularyAnnotation(container, term, new EdmRecordExpression(new EdmPropertyConstructor("Transformations", transformations)));
        annotation.SetSerializationLocation(model, EdmVocabularyAnnotationSerializationLocation.Inline);
        model.SetVocabularyAnnotation(annotation);
    }

    private static void AddTypedSet(EdmModel model, EdmEntityContainer container, string setName, string typeName,
        IEnumerable<(string Name, EdmPrimitiveTypeKind Type)> columns, IEnumerable<TypedField> fields)
    {
        var type = FeatureType(typeName, columns, isOpen: false);
        foreach (var field in fields) type.AddStructuralProperty(field.Name, Primitive(field.Type), isNullable: true);
        AddGeometry(type);
        model.AddElement(type);
        container.AddEntitySet(setName, type);
    }

    private static EdmEntityType FeatureType(string name, IEnumerable<(string Name, EdmPrimitiveTypeKind Type)> columns, bool isOpen)
    {
        var type = new EdmEntityType(Namespace, name, baseType: null, isAbstract: false, isOpen: isOpen);
        foreach (var (column, kind) in columns)
        {
            var property = type.AddStructuralProperty(column, kind, isNullable: column != "Id");
            if (column == "Id") type.AddKeys(property);
        }
        return type;
    }

    /// <summary>
    /// The geometry columns, and Location: the feature's representative point (the point itself, or a point on the
    /// polygon's surface). OData's geo.intersects and geo.distance are defined on points, so they apply to Location.
    /// </summary>
    private static void AddGeometry(EdmEntityType type)
    {
        foreach (var (column, kind) in GeometryColumns) type.AddStructuralProperty(column, kind, isNullable: true);
        type.AddStructuralProperty(LocationProperty, EdmPrimitiveTypeKind.GeographyPoint, isNullable: true);
    }

    public static EdmPrimitiveTypeKind Primitive(FieldType type) => type switch
    {
        FieldType.Integer => EdmPrimitiveTypeKind.Int64,
        FieldType.Number => EdmPrimitiveTypeKind.Double,
        FieldType.Boolean => EdmPrimitiveTypeKind.Boolean,
        _ => EdmPrimitiveTypeKind.String,
    };

    private static EdmPrimitiveTypeKind Primitive(RecordType type) => type switch
    {
        RecordType.Integer => EdmPrimitiveTypeKind.Int64,
        RecordType.Number => EdmPrimitiveTypeKind.Double,
        RecordType.Date => EdmPrimitiveTypeKind.Date,
        RecordType.Time => EdmPrimitiveTypeKind.DateTimeOffset,
        RecordType.Boolean => EdmPrimitiveTypeKind.Boolean,
        _ => EdmPrimitiveTypeKind.String,
    };
}

/// <summary>A field of a typed feature set: the name clients see, the attribute key that holds it, its type.</summary>
public sealed record TypedField(string Name, string Key, FieldType Type);
