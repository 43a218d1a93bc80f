using System.Security.Cryptography;
using System.Text;
using SkyServe.Inference.Model;

namespace SkyServe.Inference.Checkpoints;

/// <summary>Where a model comes from: a local Hugging Face-layout folder, or the base URL of one served over HTTP(S).</summary>
public abstract record ModelSource
{
    /// <summary>What the operator wrote: the folder path or the URL.</summary>
    public abstract string Text { get; }

    /// <summary>The model id clients name unless configured: the folder's name, or the URL's model name.</summary>
    public abstract string DefaultName { get; }

    /// <summary>An http(s) URL is a remote folder; anything else a local path. Throws <see cref="CheckpointException"/> for a bad URL.</summary>
    public static ModelSource Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        if (!value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            return new LocalModelFolder(Path.GetFullPath(value));
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || string.IsNullOrEmpty(url.Host) || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
            throw new CheckpointException($"'{value}' is not a usable model URL: give the base URL of a model folder, without query or fragment");
        // Files are resolved relative to the folder: the base must end with '/'.
        return new RemoteModelFolder(url.AbsolutePath.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/"));
    }

    public static bool LooksLikeUrl(string value) =>
        value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>A cache key: readable prefix, then 16 hex digits of SHA-256 over what identifies the content.</summary>
    internal static string Key(string readable, string identity)
    {
        var cleaned = new StringBuilder();
        foreach (var c in readable)
            cleaned.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        var prefix = cleaned.ToString().Trim('.', '_');
        if (prefix.Length > 64)
            prefix = prefix[^64..];
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
        return (prefix.Length > 0 ? prefix + "-" : "") + hash;
    }
}

/// <summary>A model folder on this machine: config.json, tokenizer.json and safetensors (one file or indexed shards).</summary>
public sealed record LocalModelFolder(string Directory) : ModelSource
{
    public override string Text => Directory;

    public override string DefaultName => Path.GetFileName(Directory.TrimEnd(Path.DirectorySeparatorChar));
}

/// <summary>
/// A model folder served over HTTP(S), named by its base URL: either with a skyserve-manifest.json listing every file
/// with its size and SHA-256, or laid out as on the Hugging Face Hub (config.json, model.safetensors or
/// model.safetensors.index.json and its shards, tokenizer.json), e.g. https://huggingface.co/ORG/NAME/resolve/main/.
/// </summary>
public sealed record RemoteModelFolder(Uri BaseUrl) : ModelSource
{
    public override string Text => BaseUrl.AbsoluteUri;

    public override string DefaultName
    {
        get
        {
            var segments = BaseUrl.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
            var resolve = Array.IndexOf(segments, "resolve"); // the Hub's /ORG/NAME/resolve/REVISION/
            return resolve >= 1 ? segments[resolve - 1] : segments.Length > 0 ? segments[^1] : BaseUrl.Host;
        }
    }
}
