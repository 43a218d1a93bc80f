using System.Text;

namespace SkyServe.Controller.Persistence;

internal static class SnakeCase
{
    /// <summary>"ServiceId" → "service_id", "ReadyAt" → "ready_at".</summary>
    public static string Convert(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c) && i > 0 && !char.IsUpper(name[i - 1]))
                sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
