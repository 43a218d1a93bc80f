namespace SkyServe.Providers;
