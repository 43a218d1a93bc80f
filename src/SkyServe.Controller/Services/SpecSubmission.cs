using System.Text.Json;
using System.Text.Json.Serialization;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Services;

/// <summary>
/// What <c>up</c> and <c>update</c> submit: the spec text as written, the env and secret values given beside it
/// (<c>--env</c>, <c>--secret</c>), and the digests of the archives uploaded for its <c>workdir</c> and local
/// <c>file_mounts</c>. A bare spec body is a submission with neither.
/// </summary>
public sealed record SpecSubmission(string SpecText)
{
    public SpecInputs Inputs { get; init; } = SpecInputs.None;

    public SpecUploads Uploads { get; init; } = SpecUploads.None;

    public static SpecSubmission Of(string specText) => new(specText);

    /// <summary>The stored form of <see cref="Inputs"/> (a version row's <c>inputs</c>); null when there are none.</summary>
    public static string? FormatInputs(SpecInputs inputs) =>
        inputs.IsEmpty
            ? null
            : JsonSerializer.Serialize(
                new StoredInputs(
                    inputs.Envs.Count == 0 ? null : new(inputs.Envs),
                    inputs.Secrets.Count == 0 ? null : new(inputs.Secrets),
                    inputs.Resources.IsEmpty ? null : ResourceOverridesBody.From(inputs.Resources)),
                StoredJson);

    public static SpecInputs ParseInputs(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
            return SpecInputs.None;
        var inputs = JsonSerializer.Deserialize<StoredInputs>(stored, StoredJson)!;
        return new SpecInputs
        {
            Envs = inputs.Envs ?? [],
            Secrets = inputs.Secrets ?? [],
            Resources = inputs.Resources?.ToOverrides() ?? ResourceOverrides.None,
        };
    }

    internal static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed record StoredInputs(Dictionary<string, string>? Envs, Dictionary<string, string>? Secrets, ResourceOverridesBody? Resources);
}

/// <summary>
/// The JSON form of <see cref="ResourceOverrides"/> (<c>--infra</c>, <c>--gpus</c>, <c>--use-spot</c>, ...) in a
/// submission and in a version's stored inputs: <c>{"infra": "aws", "accelerators": "L4:1", "use_spot": true}</c>.
/// </summary>
public sealed record ResourceOverridesBody(string? Infra, string? Cloud, string? Region, string? Zone, string? Accelerators, bool? UseSpot)
{
    public static ResourceOverridesBody From(ResourceOverrides overrides) =>
        new(overrides.Infra, overrides.Cloud, overrides.Region, overrides.Zone, overrides.Accelerators, overrides.UseSpot);

    public ResourceOverrides ToOverrides() => new()
    {
        Infra = Infra, Cloud = Cloud, Region = Region, Zone = Zone, Accelerators = Accelerators, UseSpot = UseSpot,
    };
}

/// <summary>
/// The archives uploaded with a spec, by digest (<c>sha256:hex</c>): the <c>workdir</c>'s, and each local
/// <c>file_mounts</c> source's by its target path.
/// </summary>
public sealed record SpecUploads
{
    public static SpecUploads None { get; } = new();

    public string? Workdir { get; init; }

    public IReadOnlyDictionary<string, string> FileMounts { get; init; } = new Dictionary<string, string>();

    /// <summary>The <c>service.tls</c> certificate and key files; load balancers get them with the routes, replicas never.</summary>
    public TlsUpload? Tls { get; init; }

    public bool IsEmpty => Workdir is null && FileMounts.Count == 0 && Tls is null;

    /// <summary>Every digest, for checking that each was uploaded.</summary>
    public IEnumerable<string> Digests =>
        (Workdir is null ? [] : new[] { Workdir }).Concat(FileMounts.Values).Concat(Tls is null ? [] : [Tls.Certfile, Tls.Keyfile]);

    /// <summary>The stored form (a version row's <c>uploads</c>), targets in order so that equal uploads store equal text; null when none.</summary>
    public static string? Format(SpecUploads uploads) =>
        uploads.IsEmpty
            ? null
            : JsonSerializer.Serialize(
                new Stored(uploads.Workdir, uploads.FileMounts.Count == 0 ? null : new(uploads.FileMounts.OrderBy(entry => entry.Key, StringComparer.Ordinal)), uploads.Tls),
                SpecSubmission.StoredJson);

    public static SpecUploads Parse(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
            return None;
        var value = JsonSerializer.Deserialize<Stored>(stored, SpecSubmission.StoredJson)!;
        return new SpecUploads { Workdir = value.Workdir, FileMounts = value.FileMounts ?? [], Tls = value.Tls };
    }

    private sealed record Stored(string? Workdir, Dictionary<string, string>? FileMounts, TlsUpload? Tls);
}

/// <summary>The digests of the uploaded <c>service.tls</c> files.</summary>
public sealed record TlsUpload(string Certfile, string Keyfile);
