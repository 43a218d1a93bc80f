using System.Text;

namespace SkyServe.Providers.Aws.Signing;

/// <summary>
/// The percent-encoding Signature V4 and the AWS Query protocol use: every byte of the UTF-8 form is
/// encoded as %XY (upper-case hex) except the RFC 3986 unreserved characters A-Z a-z 0-9 - _ . ~.
/// A space is %20, never '+'.
/// </summary>
public static class SigV4Encoding
{
    public static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
                builder.Append((char)b);
            else
                builder.Append('%').Append(b.ToString("X2"));
        }
        return builder.ToString();
    }

    /// <summary>An unencoded path (/a b/c) as the canonical request and the request line write it: each segment encoded, slashes kept.</summary>
    public static string EncodePath(string path) =>
        string.IsNullOrEmpty(path) ? "/" : string.Join('/', path.Split('/').Select(Encode));

    /// <summary><c>k1=v1&amp;k2=v2</c> with both sides encoded, in the order given (the Query protocol's request body).</summary>
    public static string FormBody(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.Select(p => $"{Encode(p.Key)}={Encode(p.Value)}"));
}
