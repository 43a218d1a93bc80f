namespace SkyServe.Controller.Persistence;

/// <summary>
/// A row that both the API and the reconcile loop write. Every save replaces the stamp, and EF checks
/// the old one in the UPDATE's WHERE clause, so a lost update becomes a DbUpdateConcurrencyException.
/// A portable Guid column works the same on SQLite and PostgreSQL.
/// </summary>
public interface IConcurrencyStamped
{
    Guid ConcurrencyStamp { get; set; }
}
