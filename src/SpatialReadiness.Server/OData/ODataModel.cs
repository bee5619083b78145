using Microsoft.OData.Edm;
using SpatialReadiness.Checks.Schemas;
using SpatialReadiness.Core.Layers;
using SpatialReadiness.PostGis.Feeds;

namespace SpatialReadiness.Server.OData;

/// <summary>
/// The OData model, the same for every city: Cities, Layers, Findings and ReadinessScores as flat records; Wards,
/// Slums and Assets typed from the canonical schemas (layers/schemas), whatever each layer calls its fields; Features
/// for any layer, its attributes as open properties. Geometry goes out as text (WKT, GeoJSON) with centroid, area and
/// bbox columns, which is what Excel and Power BI can use; Edm spatial types are left out on purpose (no client of
/// ours reads them, and ASP.NET Core OData cannot bind them to NetTopologySuite).
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

    public static IEdmModel Model { get; } = Build();

    private static IEdmModel Build()
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
        {
            var type = FeatureType(typeName, isOpen: false);
            foreach (var field in LayerSchema.For(kind)!.Fields)
                type.AddStructuralProperty(field.Name, field.Type == "integer" ? EdmPrimitiveTypeKind.Int64 : EdmPrimitiveTypeKind.String, isNullable: true);
            AddGeometry(type);
            model.AddElement(type);
            container.AddEntitySet(setName, type);
        }
        var feature = FeatureType("Feature", isOpen: true);
        feature.AddStructuralProperty("Kind", EdmPrimitiveTypeKind.String);
        AddGeometry(feature);
        model.AddElement(feature);
        container.AddEntitySet(FeatureSet, feature);
        return model;
    }

    private static EdmEntityType FeatureType(string name, bool isOpen)
    {
        var type = new EdmEntityType(Namespace, name, baseType: null, isAbstract: false, isOpen: isOpen);
        foreach (var (column, kind) in FeatureColumns)
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

    public const string LocationProperty = "Location";

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
