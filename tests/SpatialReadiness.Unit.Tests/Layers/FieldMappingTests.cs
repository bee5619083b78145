using SpatialReadiness.Core.Layers;

namespace SpatialReadiness.Unit.Tests.Layers;

public sealed class FieldMappingTests
{
    private static readonly LayerSchema Ward = LayerSchema.For(LayerKind.Ward)!;

    [Theory]
    [InlineData("Ward_No")]      // Delhi, Kochi
    [InlineData("WARD_NO")]      // Jaipur
    [InlineData("ward_no")]      // Vadodara
    [InlineData("Ward No")]      // Kanpur
    [InlineData("Ward Num")]     // Lucknow
    [InlineData("Ward_Number")]  // Bhopal
    [InlineData("ward")]         // Pune 2017
    [InlineData("wardnum")]      // Pune 2022
    [InlineData("KGISWardNo")]   // Bengaluru
    public void The_ward_number_is_found_under_the_names_real_cities_give_it(string field)
    {
        var mapping = FieldMapping.Resolve(Ward, ["OBJECTID", field, "Shape_Area"], null);
        Assert.Equal(field, mapping.Source("ward_no"));
    }

    [Fact]
    public void An_earlier_alias_wins_and_name_is_only_the_last_resort()
    {
        Assert.Equal("WARD_NO", FieldMapping.Resolve(Ward, ["name", "WARD_NO"], null).Source("ward_no"));
        Assert.Equal("name", FieldMapping.Resolve(Ward, ["gid", "name"], null).Source("ward_no")); // Mumbai's lettered wards
        Assert.Equal("Name2", FieldMapping.Resolve(Ward, ["wardnum", "Name1", "Name2"], null).Source("ward_name"));
    }

    [Fact]
    public void The_uploaders_map_overrides_aliases()
    {
        var mapping = FieldMapping.Resolve(Ward, ["WARD_NO", "Ward_Code"], new Dictionary<string, string> { ["ward_no"] = "Ward_Code" });
        Assert.Equal("Ward_Code", mapping.Source("ward_no"));
        Assert.Null(mapping.Source("ward_name"));
    }

    [Fact]
    public void A_map_is_parsed_and_checked_against_the_schema()
    {
        var map = FieldMapping.Parse(" ward_no = Ward Num , ward_name=NAME ", Ward);
        Assert.Equal("Ward Num", map["ward_no"]);
        Assert.Equal("NAME", map["ward_name"]);
        var unknown = Assert.Throws<InputException>(() => FieldMapping.Parse("ward=NAME", Ward));
        Assert.Contains("not a field of the ward schema (ward_no, ward_name", unknown.Message);
        Assert.Throws<InputException>(() => FieldMapping.Parse("ward_no", Ward));
        Assert.Throws<InputException>(() => FieldMapping.Parse("ward_no=x", LayerSchema.For(LayerKind.Other)));
    }

    [Fact]
    public void Every_kind_but_other_has_a_schema_whose_id_field_is_one_of_its_fields()
    {
        foreach (var kind in new[] { LayerKind.Ward, LayerKind.Slum, LayerKind.Asset })
        {
            var schema = LayerSchema.For(kind)!;
            Assert.NotNull(schema.Field(schema.IdField!));
            Assert.NotEmpty(schema.RequiredFields);
        }
        Assert.Null(LayerSchema.For(LayerKind.Boundary)!.IdField);
        Assert.Null(LayerSchema.For(LayerKind.Other));
        Assert.Equal(["notified", "recognised", "identified"], LayerSchema.For(LayerKind.Slum)!.Field("status")!.Domain);
    }
}
