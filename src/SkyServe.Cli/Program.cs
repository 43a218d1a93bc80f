Console.WriteLine("skyserve");
