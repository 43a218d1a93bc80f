using SkyServe.Core.Catalog;

namespace SkyServe.Core.Tests.Catalog;

/// <summary>Bad catalog files fail the load with an error that names the file, the line and the key.</summary>
public sealed class CatalogLoaderErrorTests
{
    private const string ValidAws = """
        cloud: aws
        instance_types:
          - name: g5.xlarge
            accelerator: A10G
            accelerator_count: 1
            gpu_memory_gib: 24
            vcpus: 4
            memory_gib: 16
            regions:
              - name: us-east-1
                zones: [use1-az1, use1-az2]
                on_demand: 1.006
                spot: 0.403
              - name: us-west-2
                zones: [usw2-az1]
                on_demand: 1.006
        """;

    private const string ValidLocal = """
        simulated_clouds:
          - cloud: aws
            regions:
              - name: us-east-1
                zones: [us-east-1a]
            instance_types:
              - name: local-a10g
                stands_for: aws/g5.xlarge
        """;

    /// <summary>Loads the files from a temporary folder and returns the error, checking it names the file and line.</summary>
    private static CatalogException LoadFails(string badFile, int line, params (string Name, string Text)[] files)
    {
        var error = LoadFails(badFile, files);
        Assert.Equal(line, error.Line);
        return error;
    }

    private static CatalogException LoadFails(string badFile, params (string Name, string Text)[] files)
    {
        using var folder = new TempCatalogFolder(files);
        var error = Assert.Throws<CatalogException>(() => CatalogLoader.LoadDirectory(folder.Path));
        Assert.Equal(Path.Combine(folder.Path, badFile), error.FileName);
        Assert.StartsWith(error.Line > 0 ? $"{error.FileName}:{error.Line}:{error.Column}: " : $"{error.FileName}: ", error.Message);
        return error;
    }

    /// <summary>The 1-based line of the first occurrence of <paramref name="marker"/>.</summary>
    private static int LineOf(string text, string marker) => LineAt(text, text.IndexOf(marker, StringComparison.Ordinal));

    private static int LineAt(string text, int index)
    {
        Assert.True(index >= 0);
        return 1 + text[..index].Count(c => c == '\n');
    }

    private static CatalogException AwsFails(string text, string markerOnBadLine) =>
        LoadFails("aws.yaml", LineOf(text, markerOnBadLine), ("aws.yaml", text));

    [Fact]
    public void The_valid_files_load()
    {
        using var folder = new TempCatalogFolder(("aws.yaml", ValidAws), ("local.yaml", ValidLocal), ("README.md", "not yaml"));
        var catalogs = CatalogLoader.LoadDirectory(folder.Path);
        Assert.Equal(3, catalogs.Clouds.Offerings.Length);
        Assert.Equal("aws/g5.xlarge", Assert.Single(catalogs.Local.Offerings).StandsFor);
    }

    [Fact]
    public void YAML_syntax_errors_give_the_line()
    {
        var text = ValidAws.Replace("zones: [usw2-az1]", "zones: [usw2-az1");
        var error = LoadFails("aws.yaml", ("aws.yaml", text));
        // The parser notices the missing bracket on the next line or at the end of the file.
        Assert.InRange(error.Line, LineOf(text, "zones: [usw2-az1"), LineAt(text, text.Length - 1) + 1);
        Assert.Contains("YAML error", error.Message);
        Assert.DoesNotContain("Idx:", error.Message);
    }

    [Fact]
    public void Duplicate_keys_are_YAML_errors()
    {
        var text = ValidAws.Replace("    vcpus: 4\n", "    vcpus: 4\n    vcpus: 8\n");
        Assert.Contains("Duplicate key", AwsFails(text, "vcpus: 8").Message);
    }

    [Fact]
    public void Unknown_keys_are_named()
    {
        var text = ValidAws.Replace("    vcpus: 4\n", "    vcpu: 4\n");
        var error = AwsFails(text, "vcpu: 4");
        Assert.Equal("instance_types[0].vcpu", error.KeyPath);
        Assert.Contains("unknown key", error.Detail);
        Assert.Equal(5, error.Column);
    }

    [Fact]
    public void Missing_keys_point_at_their_mapping()
    {
        var text = ValidAws.Replace("        on_demand: 1.006\n        spot: 0.403\n", "        spot: 0.403\n");
        var error = AwsFails(text, "- name: us-east-1");
        Assert.Equal("instance_types[0].regions[0]", error.KeyPath);
        Assert.Equal("missing key 'on_demand'", error.Detail);
    }

    [Theory]
    [InlineData("on_demand: 1.006\n        spot: 0.403", "on_demand: -1\n        spot: 0.403", "on_demand: -1", "expected a positive price")]
    [InlineData("on_demand: 1.006\n        spot: 0.403", "on_demand: 1.006\n        spot: 1.006", "spot: 1.006", "is not below the on-demand price")]
    [InlineData("on_demand: 1.006\n        spot: 0.403", "on_demand: cheap\n        spot: 0.403", "on_demand: cheap", "got 'cheap'")]
    [InlineData("vcpus: 4", "vcpus: 0", "vcpus: 0", "expected a positive number")]
    [InlineData("accelerator_count: 1", "accelerator_count: 1.5", "accelerator_count: 1.5", "whole number")]
    [InlineData("accelerator: A10G", "accelerator: A10X", "accelerator: A10X", "unknown accelerator 'A10X'")]
    [InlineData("accelerator: A10G", "accelerator: a10g", "accelerator: a10g", "write 'A10G', SkyPilot's spelling")]
    [InlineData("zones: [usw2-az1]", "zones: []", "zones: []", "the list of zones is empty")]
    [InlineData("zones: [usw2-az1]", "zones: [usw2-az1, usw2-az1]", "zones: [usw2-az1, usw2-az1]", "listed twice")]
    [InlineData("zones: [usw2-az1]", "zones: [use1-az1]", "zones: [use1-az1]\n", "belongs to region 'us-east-1'")]
    [InlineData("spot: 0.403", "spot: 0.403\n        spot_zones: [use1-az9]", "spot_zones", "is not one of this region's zones")]
    [InlineData("name: us-west-2", "name: us-east-1", "name: us-east-1\n        zones: [usw2", "region 'us-east-1' is listed twice")]
    public void Bad_values_are_named_with_their_line(string find, string replace, string markerOnBadLine, string detail)
    {
        var text = ValidAws.Replace(find, replace);
        Assert.NotEqual(ValidAws, text);
        Assert.Contains(detail, AwsFails(text, markerOnBadLine).Message);
    }

    [Fact]
    public void CPU_only_types_cannot_have_GPU_keys()
    {
        var text = ValidAws.Replace("    accelerator: A10G\n", "");
        Assert.Contains("only instance types with an accelerator", AwsFails(text, "accelerator_count").Message);
    }

    [Fact]
    public void An_instance_type_listed_twice_is_an_error()
    {
        var entry = ValidAws[ValidAws.IndexOf("  - name: g5.xlarge", StringComparison.Ordinal)..];
        var text = ValidAws + "\n" + entry;
        var error = LoadFails("aws.yaml", LineAt(text, text.LastIndexOf("- name: g5.xlarge", StringComparison.Ordinal)), ("aws.yaml", text));
        Assert.Contains("instance type 'g5.xlarge' is listed twice", error.Message);
    }

    [Fact]
    public void A_cloud_defined_in_two_files_is_an_error()
    {
        var error = LoadFails("b.yaml", 1, ("a.yaml", ValidAws), ("b.yaml", ValidAws));
        Assert.Contains($"cloud 'aws' is already defined in", error.Message);
    }

    [Fact]
    public void Files_must_say_what_they_are()
    {
        Assert.Contains("expected 'cloud'", LoadFails("x.yaml", 1, ("x.yaml", "instance_types: []\n")).Message);
        Assert.Contains("not both", LoadFails("x.yaml", 1, ("x.yaml", "cloud: aws\nsimulated_clouds: []\n")).Message);
        Assert.Contains("expected a mapping", LoadFails("x.yaml", 1, ("x.yaml", "- aws\n")).Message);
        Assert.Contains("expected a lower-case cloud name", LoadFails("x.yaml", 1, ("x.yaml", "cloud: AWS\ninstance_types: []\n")).Message);
    }

    [Fact]
    public void An_empty_file_is_an_error()
    {
        Assert.Contains("the file is empty", LoadFails("aws.yaml", 0, ("aws.yaml", "  \n")).Message);
    }

    [Fact]
    public void Stands_for_must_name_an_entry_in_the_catalog()
    {
        var text = ValidLocal.Replace("aws/g5.xlarge", "aws/g9.xlarge");
        var error = LoadFails("local.yaml", LineOf(text, "stands_for"), ("aws.yaml", ValidAws), ("local.yaml", text));
        Assert.Equal("simulated_clouds[0].instance_types[0].stands_for", error.KeyPath);
        Assert.Contains("'aws/g9.xlarge' is not in the catalog", error.Message);
    }

    [Fact]
    public void Stands_for_must_have_prices_in_every_simulated_region()
    {
        var text = ValidLocal.Replace("name: us-east-1", "name: eu-west-1");
        var error = LoadFails("local.yaml", LineOf(text, "stands_for"), ("aws.yaml", ValidAws), ("local.yaml", text));
        Assert.Contains("'aws/g5.xlarge' has no prices in eu-west-1; it is offered in us-east-1, us-west-2", error.Message);
    }

    [Fact]
    public void Stands_for_has_the_cloud_slash_type_form()
    {
        var text = ValidLocal.Replace("aws/g5.xlarge", "g5.xlarge");
        Assert.Contains("expected <cloud>/<instance type>", LoadFails("local.yaml", LineOf(text, "stands_for"), ("aws.yaml", ValidAws), ("local.yaml", text)).Message);
    }

    [Fact]
    public void A_missing_folder_is_an_error()
    {
        var path = Path.Combine(Path.GetTempPath(), "skyserve-no-such-catalog-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<CatalogException>(() => CatalogLoader.LoadDirectory(path));
        Assert.Equal($"{path}: catalog folder not found", error.Message);
    }
}
