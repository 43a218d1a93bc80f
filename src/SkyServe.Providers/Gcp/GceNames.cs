using System.Security.Cryptography;
using System.Text;

namespace SkyServe.Providers.Gcp;

/// <summary>What a client token determines: the instance's name and the requestId of its insert.</summary>
internal static class GceNames
{
    // The namespace of SkyServe's name-based UUIDs (RFC 9562 version 5).
    private static readonly Guid Namespace = new("8f4b4f35-2b8c-4d62-9a53-6c2d1c1e0a77");

    /// <summary><c>ss-</c> and 20 hex digits of the token's hash: a valid instance name, the same for every retry.</summary>
    public static string Instance(string clientToken) =>
        "ss-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clientToken)))[..20];

    /// <summary>A UUID (version 5) from the text: GCE ignores a second request with the same requestId.</summary>
    public static Guid RequestId(string text) => NameBased(Namespace, text);

    public static Guid NameBased(Guid @namespace, string name)
    {
        var ns = @namespace.ToByteArray(bigEndian: true);
        var hash = SHA1.HashData([.. ns, .. Encoding.UTF8.GetBytes(name)]);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }
}
