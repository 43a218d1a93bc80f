namespace SkyServe.Cli.Uploads;

/// <summary>A spec as the CLI sends it: the text as written (YAML), or a submission with the digests of its uploads.</summary>
public sealed record SpecPayload(string Body, string MediaType)
{
    public const string Yaml = "application/yaml";
    public const string Submission = "application/vnd.skyserve.submission+json";

    public static SpecPayload Of(string specText) => new(specText, Yaml);
}
