namespace SkyServe.Core.Domain;

/// <summary>How a new version of a service replaces the old one (DESIGN.md section 6, Updates).</summary>
public enum UpdateMode
{
    /// <summary>Old and new replicas both serve; old ones go as new ones become READY.</summary>
    Rolling,
    /// <summary>Traffic switches only once the new version has min_replicas READY.</summary>
    BlueGreen,
}
