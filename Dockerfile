# The server, built from this repository (used by docker-compose.yml).
FROM node:20 AS viewer
WORKDIR /src/viewer
COPY viewer/ .
RUN npm ci && npm run build

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
COPY --from=viewer /src/src/SpatialReadiness.Server/wwwroot/app src/SpatialReadiness.Server/wwwroot/app
RUN dotnet publish src/SpatialReadiness.Server -c Release -o /app && dotnet publish src/SpatialReadiness.Cli -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update && apt-get install -y --no-install-recommends gdal-bin postgresql-client && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENTRYPOINT ["dotnet", "SpatialReadiness.Server.dll"]
