namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>Metadata URLs are a base (e.g. http://127.0.0.1:5000/machines/m-1) with the cloud's paths appended.</summary>
public static class MetadataUrls
{
    public static Uri Append(Uri baseUrl, string relativePath) =>
        new(baseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/" + relativePath.TrimStart('/'));
}
