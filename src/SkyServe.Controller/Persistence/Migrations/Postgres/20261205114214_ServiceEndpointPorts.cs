using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SkyServe.Controller.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ServiceEndpointPorts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "endpoint_port",
                table: "services",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_services_endpoint_port",
                table: "services",
                column: "endpoint_port",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_services_endpoint_port",
                table: "services");

            migrationBuilder.DropColumn(
                name: "endpoint_port",
                table: "services");
        }
    }
}
