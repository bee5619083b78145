using SpatialReadiness.Cli;

return await Srd.RunAsync(args, Console.Out, Console.Error);
