using System.Globalization;

namespace SkyServe.ReplicaAgent.Hosting;

/// <summary>ISO-8601 in UTC with a Z, as the clouds' metadata services write times (2017-09-18T08:22:00Z).</summary>
public static class UtcTimestamp
{
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
