using System.Buffers.Text;
using System.Text;
using SkyServe.Controller.Services;

namespace SkyServe.Controller.Api;

/// <summary>
/// The opaque <c>cursor</c> of <c>GET /api/v1/services</c>: base64url of the last name of the page before. A name, not
/// an offset, so services created or deleted between pages neither repeat nor skip the ones that stay.
/// </summary>
internal static class ServiceListCursor
{
    public const string Parameter = "cursor";

    public static string Encode(string lastName) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastName));

    /// <returns>The name the next page starts after; null for the first page.</returns>
    /// <exception cref="InvalidRequestException">Not a cursor this API gave out.</exception>
    public static string? Decode(string? cursor)
    {
        if (cursor is null)
            return null;
        try
        {
            var name = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(cursor));
            ServiceNames.Validate(name); // every cursor we hand out holds a valid name
            return name;
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException or InvalidRequestException)
        {
            throw new InvalidRequestException($"{Parameter} '{cursor}' is not one this API gave out: pass the one from the Link header's rel=\"next\"");
        }
    }
}
