using System.Globalization;
using System.Xml.Linq;

namespace SkyServe.Providers.Aws.Ec2;

/// <summary>Reading EC2 Query API answers (namespace http://ec2.amazonaws.com/doc/2016-11-15/).</summary>
public static class Ec2Xml
{
    public const string Version = "2016-11-15";
    public static readonly XNamespace Ns = "http://ec2.amazonaws.com/doc/2016-11-15/";

    public static XElement? Child(this XElement? parent, string name) => parent?.Element(Ns + name);

    public static string? Text(this XElement? parent, string name) => parent?.Element(Ns + name)?.Value is { Length: > 0 } v ? v : null;

    /// <summary>The <c>item</c> children of a set element (<c>reservationSet</c>, <c>tagSet</c>, ...).</summary>
    public static IEnumerable<XElement> Items(this XElement? parent, string setName) =>
        parent?.Element(Ns + setName)?.Elements(Ns + "item") ?? [];

    public static DateTimeOffset ParseTime(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static string FormatTime(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
