using Microsoft.EntityFrameworkCore;

namespace SkyServe.Controller.Persistence;

/// <summary>Production: several controllers share one PostgreSQL server.</summary>
public sealed class PostgresControllerDb(DbContextOptions<PostgresControllerDb> options) : ControllerDb(options)
{
    protected override void OnModelCreating(ModelBuilder model)
    {
        base.OnModelCreating(model);
        model.Entity<ServiceVersionRecord>().Property(v => v.EffectiveSpec).HasColumnType("jsonb");
    }
}
