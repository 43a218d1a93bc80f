using System.Text.RegularExpressions;

namespace SkyServe.Controller.Services;

/// <summary>How an uploaded archive is named: <c>sha256:</c> and the 64 lowercase hex digits of its SHA-256.</summary>
public static partial class BlobDigest
{
    public const string Prefix = "sha256:";

    public static bool IsValid(string? digest) => digest is not null && Pattern().IsMatch(digest);

    public static string Of(ReadOnlySpan<byte> content) => Prefix + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));

    /// <exception cref="InvalidRequestException">Not a digest.</exception>
    public static void Require(string digest)
    {
        if (!IsValid(digest))
            throw new InvalidRequestException($"'{digest}' is not a digest: expected sha256: and 64 lowercase hex digits");
    }

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex Pattern();
}
